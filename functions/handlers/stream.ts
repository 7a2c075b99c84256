/**
 * The jobs table stream's consumer (besides the notifier): per batch, in stream order,
 * 1. settles dependants: when a job finishes, the jobs that depend on it are released or failed;
 * 2. counts the changes: counters and metric rollups, one write per touched item (usecases/aggregate-stats);
 * 3. queues webhook deliveries for the changes that end a job (usecases/webhooks/job-events.ts); a record
 *    whose deliveries could not be queued is reported like one whose dependants could not be settled.
 * Dependants go first: the first record whose dependants could not be settled (an error, or the time budget
 * ran out) is reported (ReportBatchItemFailures) and the changes before it are counted; the retry starts at
 * that record, so nothing is counted twice. When the counting itself fails, its first uncommitted record is
 * reported instead (settling is idempotent: conditional transitions). The handler never throws: a batch
 * retried as a whole only follows a timeout or a crash, and then starts at the same first record, which the
 * statistics writer recognises (adapters/dynamodb/stats-writer.ts).
 * 3. publishes the job metrics (CloudWatch EMF) of the changes it acknowledges (usecases/job-metrics.ts).
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toStreamChange } from '../adapters/dynamodb/stream-change.ts';
import { systemClock } from '../core/clock.ts';
import { countChanges, type StatsRecorder } from '../usecases/aggregate-stats.ts';
import { type DependencyDeps, justFinished, settleDependants } from '../usecases/dependencies.ts';
import { type JobMetricsDeps, publishJobMetrics } from '../usecases/job-metrics.ts';
import { outOfTimeFor, type RemainingTime } from '../usecases/time-budget.ts';
import { type JobEventDeps, queueJobEvents } from '../usecases/webhooks/job-events.ts';
import { dispatcher } from '../wiring/dispatcher.ts';
import { jobMetricsDeps } from '../wiring/job-metrics.ts';
import { logger } from '../wiring/logger.ts';
import { statsWriter } from '../wiring/stats-writer.ts';
import { jobStore } from '../wiring/store.ts';
import { deliveryQueue, webhookStore } from '../wiring/webhook-deps.ts';

/** Kept back from the 60 s timeout: a chunk in flight finishes, the counts are written and the batch answers. */
const MARGIN_MS = 15_000;

export function createStreamConsumer(
  deps: Omit<DependencyDeps, 'outOfTime'> & {
    stats: StatsRecorder;
    jobMetrics?: JobMetricsDeps;
    webhooks?: JobEventDeps;
  },
) {
  return async (event: DynamoDBStreamEvent, context?: RemainingTime): Promise<DynamoDBBatchResponse> => {
    const changes = event.Records.map(toStreamChange);
    const settleDeps = { ...deps, outOfTime: outOfTimeFor(context, MARGIN_MS) };
    let settled = changes.length;
    for (const [index, { before, after }] of changes.entries()) {
      if (!justFinished(before, after)) continue;
      try {
        const counts = await settleDependants(settleDeps, after);
        if (counts.released + counts.failed > 0)
          logger.info('dependants settled', { jobId: after.id, ...counts });
      } catch (error) {
        logger.error('settling dependants failed; the batch is retried from here', {
          jobId: after.id,
          error,
        });
        settled = index;
        break;
      }
    }
    if (deps.webhooks) {
      const events = await queueJobEvents(deps.webhooks, changes.slice(0, settled));
      if (events.failedAt !== null) {
        logger.error('webhook deliveries not queued; the batch is retried from here', {
          error: events.error,
        });
        settled = events.failedAt;
      }
    }
    const counted = await countChanges(deps.stats, changes.slice(0, settled));
    if (counted.retryFrom !== null)
      logger.error('statistics not written; the batch is retried from here', {
        sequenceNumber: counted.retryFrom,
        error: counted.error,
      });
    const retryFrom = counted.retryFrom ?? changes[settled]?.sequenceNumber;
    if (deps.jobMetrics) publishJobMetrics(deps.jobMetrics, changesBefore(changes, retryFrom));
    return { batchItemFailures: retryFrom !== undefined ? [{ itemIdentifier: retryFrom }] : [] };
  };
}

/** The changes before the one the batch is retried from (all of them when none is). */
const changesBefore = <T extends { sequenceNumber: string }>(changes: T[], retryFrom: string | undefined) => {
  const end = changes.findIndex((change) => change.sequenceNumber === retryFrom);
  return end === -1 ? changes : changes.slice(0, end);
};

// No middlewares: partial batch responses are the whole error contract of a stream consumer.
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(
  createStreamConsumer({
    store: jobStore,
    dispatcher,
    clock: systemClock,
    stats: statsWriter,
    jobMetrics: jobMetricsDeps,
    webhooks: { store: webhookStore, queue: deliveryQueue, clock: systemClock },
  }),
);
