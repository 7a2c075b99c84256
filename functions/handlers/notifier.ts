/**
 * The notifier, fed by the jobs table's stream: each job change becomes a `job.updated` frame for the job's
 * subscribers and its owner's `all` subscribers. Records are handled one at a time, in stream order; the
 * first one that cannot be delivered is reported (ReportBatchItemFailures) and the batch stops there, so
 * the event source retries from it and no client sees a change out of order. Deletions, other items and
 * heartbeats (only `heartbeatAt`/`seq` changed) are skipped.
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { readJobRecord } from '../adapters/realtime/job-stream-record.ts';
import { logger } from '../config/logger.ts';
import { fanOutDeps } from '../config/realtime-fan-out-deps.ts';
import { isHeartbeatOnly } from '../usecases/realtime/changes.ts';
import { type FanOutDeps, fanOut } from '../usecases/realtime/fan-out.ts';

export function createNotifier(deps: FanOutDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const read = readJobRecord(record);
      if (read.kind === 'skip' || isHeartbeatOnly(read.previous, read.job)) continue;
      const failure = await fanOut(deps, read).then(
        (result) => result.failed[0]?.error,
        (error: unknown) => error ?? new Error('fan-out failed'),
      );
      if (failure !== undefined) {
        deps.logger.error('job change not delivered; the stream retries from it', {
          jobId: read.job.id,
          seq: read.job.seq,
          sequenceNumber: read.sequenceNumber,
          error: failure,
        });
        return { batchItemFailures: [{ itemIdentifier: read.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

// No middlewares: partial batch responses are the whole error contract of a stream consumer.
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(
  createNotifier({ ...fanOutDeps, logger }),
);
