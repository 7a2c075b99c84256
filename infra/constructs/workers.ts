/**
 * The functions that carry jobs through their life after submission:
 * - the worker, consuming the four tier queues, each through its own event source with the tier's
 *   MaximumConcurrency (the priority mechanism: critical gets the most parallel workers);
 * - the stream consumer (the "dependency resolver"), fed by the jobs table stream: releases (or fails) the
 *   jobs that wait for a job that just finished, and counts the statistics and metric rollups.
 * The tier dead-letter queues have no consumer here: the every-minute maintenance run reads them
 * (infra/constructs/maintenance.ts), which saves the idle long polls of four event source mappings.
 * With `reserveConcurrency`, each reserves what its event sources can use at most (the worker: the sum of
 * the tiers' MaximumConcurrency), so a flood of API calls cannot take the account's concurrency from them
 * and their event sources are never throttled (a throttled SQS batch waits a whole visibility timeout).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import {
  functionTimeouts,
  type SqsEventSourceSettings,
  streamEventSources,
  tierEventSources,
} from '../function-settings.ts';
import { reservedConcurrency } from '../limits.ts';
import { queueDefaults } from '../resources.ts';
import { acknowledgeListStreams, bindJobs, bindQueues, type JobsBinding } from './bindings.ts';
import { dynamoEventSource } from './event-sources.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';
import type { TierQueues } from './tier-queues.ts';

/** The worker's Lambda timeout; the tier queues' visibility timeout is never below it. */
export const WORKER_TIMEOUT = Duration.seconds(functionTimeouts.worker);

export interface WorkersProps {
  defaults: FunctionDefaults;
  jobs: JobsBinding;
  queues: TierQueues;
  tierConcurrency: Record<Tier, number>;
  /** Reserve concurrency for the worker and the dependency resolver. */
  reserveConcurrency: boolean;
}

/** What the worker reserves: every tier's event source at its MaximumConcurrency at once. */
export const workerReservedConcurrency = (tierConcurrency: Record<Tier, number>): number =>
  TIERS.reduce((sum, tier) => sum + tierConcurrency[tier], 0);

const reserve = (fn: JobFunction, concurrency: number) => {
  (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = concurrency;
};

export class Workers extends Construct {
  public readonly worker: JobFunction;
  /** Each tier queue's event source on the worker (tier pause disables and enables its mapping). */
  public readonly tierEventSources: Record<Tier, SqsEventSource>;
  public readonly dependencyResolver: JobFunction;
  /** The stream consumer's on-failure destination: metadata of batches dropped after their retries. */
  public readonly streamFailures: Queue;

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const { defaults, jobs, queues } = props;

    this.worker = new JobFunction(this, 'Worker', {
      module: 'worker',
      defaults,
      memorySize: 1024,
    });
    bindJobs(this.worker, jobs, 'readWrite');
    bindQueues(this.worker, queues, 'consume');
    const sources: Partial<Record<Tier, SqsEventSource>> = {};
    // A durable job continues in a fresh invocation: the worker sends its message again.
    bindQueues(this.worker, queues, 'send');
    for (const tier of TIERS) {
      // Records are processed one at a time; a failed one alone goes back to the queue.
      const source = new SqsEventSource(queues.queues[tier], {
        ...sqsEventSourceProps(tierEventSources[tier]),
        maxConcurrency: props.tierConcurrency[tier],
      });
      this.worker.addEventSource(source);
      sources[tier] = source;
    }
    this.tierEventSources = sources as Record<Tier, SqsEventSource>;

    if (props.reserveConcurrency) reserve(this.worker, workerReservedConcurrency(props.tierConcurrency));

    this.dependencyResolver = new JobFunction(this, 'DependencyResolver', {
      module: 'stream',
      defaults,
    });
    if (props.reserveConcurrency) reserve(this.dependencyResolver, reservedConcurrency.dependencyResolver);
    bindJobs(this.dependencyResolver, jobs, 'readWrite');
    bindQueues(this.dependencyResolver, queues, 'send');
    acknowledgeListStreams(this.dependencyResolver);
    this.streamFailures = new Queue(this, 'StreamFailures', {
      retentionPeriod: Duration.days(queueDefaults.dlqRetentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is itself a dead-letter destination (the on-failure queue of the stream mapping).',
    });
    this.dependencyResolver.addEventSource(
      dynamoEventSource(jobs.table, streamEventSources.stream, this.streamFailures),
    );
  }
}

function sqsEventSourceProps(settings: SqsEventSourceSettings) {
  return {
    batchSize: settings.batchSize,
    ...(settings.maxBatchingWindowSeconds > 0 && {
      maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
    }),
    reportBatchItemFailures: settings.reportBatchItemFailures,
    maxConcurrency: settings.maxConcurrency,
  };
}
