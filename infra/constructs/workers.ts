/**
 * The functions that carry jobs through their life after submission:
 * - the worker, consuming the four tier queues, each through its own event source with the tier's
 *   MaximumConcurrency (the priority mechanism: critical gets the most parallel workers);
 * - the dead-letter consumer, marking every job whose message reached a DLQ as `dead`;
 * - the dependency resolver, fed by the jobs table stream, releasing (or failing) the jobs that wait for a
 *   job that just finished.
 */
import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { queueDefaults, tierDefaults } from '../resources.ts';
import {
  acknowledgeListStreams,
  bindDeadLetterQueues,
  bindJobs,
  bindQueues,
  type JobsBinding,
} from './bindings.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';
import type { TierQueues } from './tier-queues.ts';

/** The worker's Lambda timeout; the tier queues' visibility timeout is six times it. */
export const WORKER_TIMEOUT = Duration.seconds(queueDefaults.workerTimeoutSeconds);
/** The DLQ consumer only records an outcome; the DLQs' visibility timeout is six times it. */
export const DEAD_LETTER_CONSUMER_TIMEOUT = Duration.seconds(30);

export interface WorkersProps {
  defaults: FunctionDefaults;
  jobs: JobsBinding;
  queues: TierQueues;
  tierConcurrency: Record<Tier, number>;
}

export class Workers extends Construct {
  public readonly worker: JobFunction;
  public readonly deadLetterConsumer: JobFunction;
  public readonly dependencyResolver: JobFunction;

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const { defaults, jobs, queues } = props;

    this.worker = new JobFunction(this, 'Worker', {
      module: 'worker',
      defaults,
      timeout: WORKER_TIMEOUT,
      memorySize: 1024,
    });
    bindJobs(this.worker, jobs, 'readWrite');
    bindQueues(this.worker, queues, 'consume');
    for (const tier of TIERS) {
      this.worker.addEventSource(
        new SqsEventSource(queues.queues[tier], {
          batchSize: tierDefaults[tier].batchSize,
          // Records are processed one at a time; a failed one alone goes back to the queue.
          reportBatchItemFailures: true,
          maxConcurrency: props.tierConcurrency[tier],
        }),
      );
    }

    this.deadLetterConsumer = new JobFunction(this, 'DeadLetterConsumer', {
      module: 'dead-letter',
      defaults,
      timeout: DEAD_LETTER_CONSUMER_TIMEOUT,
    });
    bindJobs(this.deadLetterConsumer, jobs, 'readWrite');
    bindDeadLetterQueues(this.deadLetterConsumer, queues);
    for (const tier of TIERS) {
      this.deadLetterConsumer.addEventSource(
        new SqsEventSource(queues.deadLetterQueues[tier], {
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(5),
          reportBatchItemFailures: true,
          // Dead letters are rare and cheap to record: the minimum keeps them off the workers' concurrency.
          maxConcurrency: 2,
        }),
      );
    }

    this.dependencyResolver = new JobFunction(this, 'DependencyResolver', {
      module: 'dependencies',
      defaults,
      timeout: Duration.seconds(60),
    });
    bindJobs(this.dependencyResolver, jobs, 'readWrite');
    bindQueues(this.dependencyResolver, queues, 'send');
    acknowledgeListStreams(this.dependencyResolver);
    this.dependencyResolver.addEventSource(
      new DynamoEventSource(jobs.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        // The handler reports the first record it could not settle; the stream retries from there.
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // Settling is idempotent (conditional transitions), so retries are safe; a record that still fails
        // after them is dropped (its error is in the logs) rather than blocking the shard for 24 hours.
        retryAttempts: 10,
        // Only a job reaching a terminal status settles anything: skip inserts, deletions (TTL, cleanup),
        // the counter and edge items, and every other change (progress, heartbeats), before invocation.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('MODIFY'),
            dynamodb: {
              Keys: { sk: { S: FilterRule.isEqual('JOB') } },
              NewImage: { status: { S: FilterRule.or('completed', 'failed', 'cancelled', 'dead') } },
            },
          }),
        ],
      }),
    );
  }
}
