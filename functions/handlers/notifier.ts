/**
 * The notifier, fed by the jobs table's stream: each job change becomes a `job.updated` frame for the job's
 * subscribers and its owner's `all` subscribers. Deletions, other items and heartbeats (only
 * `heartbeatAt`/`seq` changed) are skipped.
 *
 * Fair across users: a batch's records are split by the job's owner, and the owners' records are delivered
 * in parallel lanes (USER_LANES at once), each owner's in stream order. One user's burst of changes therefore
 * does not hold back another user's updates behind it in the batch. Every connection belongs to one user and
 * follows only that user's jobs, so each connection still sees changes in stream order.
 *
 * In a lane, the first record that cannot be delivered stops that lane; the earliest such record of the batch
 * is reported (ReportBatchItemFailures) and the event source retries from it. Records of other users after it
 * that were already delivered are then skipped by the sent log (connections that got a change are not sent it
 * again). Each batch publishes its fan-out totals as metrics (usecases/job-metrics.ts).
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type JobStreamRecord, readJobRecord } from '../adapters/realtime/job-stream-record.ts';
import { type FanOutTotals, type MetricsPublisher, publishFanOutMetrics } from '../usecases/job-metrics.ts';
import { isHeartbeatOnly } from '../usecases/realtime/changes.ts';
import { mapWithConcurrency } from '../usecases/realtime/concurrency.ts';
import { type FanOutDeps, fanOut } from '../usecases/realtime/fan-out.ts';
import { metricsPublisher } from '../wiring/job-metrics.ts';
import { logger } from '../wiring/logger.ts';
import { fanOutDeps } from '../wiring/realtime-fan-out-deps.ts';

/** Users whose changes are delivered at once (each lane also posts up to `concurrency` frames at once). */
export const USER_LANES = 4;

export function createNotifier(deps: FanOutDeps & { metrics?: MetricsPublisher }, lanes = USER_LANES) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const byUser = new Map<
      string,
      Array<{ index: number; read: Extract<JobStreamRecord, { kind: 'change' }> }>
    >();
    event.Records.forEach((record, index) => {
      const read = readJobRecord(record);
      if (read.kind === 'skip' || isHeartbeatOnly(read.previous, read.job)) return;
      const lane = byUser.get(read.job.userId) ?? [];
      lane.push({ index, read });
      byUser.set(read.job.userId, lane);
    });
    const totals: FanOutTotals = { changes: 0, sent: 0, gone: 0, failed: 0 };
    const failedAt = await mapWithConcurrency([...byUser.entries()], lanes, async ([userId, records]) => {
      // A user without a live watch mark has no subscribers: none of their changes is looked up.
      if (deps.watchers && !(await deps.watchers.has(userId))) return null;
      for (const { index, read } of records) {
        const failure = await fanOut(deps, read).then(
          (result) => {
            totals.changes += 1;
            totals.sent += result.sent;
            totals.gone += result.gone;
            totals.failed += result.failed.length;
            return result.failed[0]?.error;
          },
          (error: unknown) => error ?? new Error('fan-out failed'),
        );
        if (failure === undefined) continue;
        deps.logger.error('job change not delivered; the stream retries from it', {
          jobId: read.job.id,
          seq: read.job.seq,
          sequenceNumber: read.sequenceNumber,
          error: failure,
        });
        return { index, sequenceNumber: read.sequenceNumber };
      }
      return null;
    });
    if (deps.metrics) publishFanOutMetrics({ metrics: deps.metrics, logger: deps.logger }, totals);
    const earliest = failedAt.filter((failure) => failure !== null).sort((a, b) => a.index - b.index)[0];
    return { batchItemFailures: earliest ? [{ itemIdentifier: earliest.sequenceNumber }] : [] };
  };
}

// No middlewares: partial batch responses are the whole error contract of a stream consumer.
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(
  createNotifier({ ...fanOutDeps, logger, metrics: metricsPublisher() }),
);
