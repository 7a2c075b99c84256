/**
 * How the local stream reader delivers one batch to its handler, as a Lambda stream event source mapping
 * does: retries from the checkpoint the handler reports (ReportBatchItemFailures), backing off, up to
 * `maxRetryAttempts`; bisects a batch whose invocation fails as a whole when asked; drops records past the
 * maximum age; sends what it discards to the on-failure destination.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { UnknownBatchItemError } from '../event-source/sqs-poller.ts';
import { FunctionTimeoutError, invokeWithTimeout } from '../invoke-with-timeout.ts';
import {
  failureRecord,
  type StreamReaderOptions,
  StreamRecordsExpiredError,
  StreamRecordsSkippedError,
} from './stream-reader-types.ts';

const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5_000;
export const retryBackoff = (attempt: number) => Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS);

export interface BatchDeliveryOptions
  extends Pick<
    StreamReaderOptions,
    | 'handler'
    | 'functionName'
    | 'functionTimeoutMs'
    | 'maxRetryAttempts'
    | 'maxRecordAgeSeconds'
    | 'bisectBatchOnError'
    | 'onFailure'
  > {
  streamArn: string;
  region: string;
  signal: AbortSignal;
  pause: (ms: number) => Promise<unknown>;
  onError: (error: unknown) => void;
}

/** Returns the function that delivers a batch of one shard until it succeeds or is discarded. */
export function batchDelivery(opts: BatchDeliveryOptions) {
  const { streamArn, region, signal, pause, onError } = opts;
  const maxRetryAttempts = opts.maxRetryAttempts ?? 10;
  const maxRecordAgeSeconds = opts.maxRecordAgeSeconds ?? -1;
  const functionTimeoutMs = opts.functionTimeoutMs ?? 60_000;
  const backoff = retryBackoff;

  /** An on-failure destination gets the metadata of a discarded batch (Lambda's DDBStreamBatchInfo). */
  async function discarded(
    records: DynamoDBRecord[],
    shardId: string,
    condition: 'RetryAttemptsExhausted' | 'EventAgeExceeded',
    invokeCount: number,
  ): Promise<void> {
    if (!opts.onFailure || records.length === 0) return;
    const context = { shardId, streamArn, region, condition, invokeCount };
    await opts
      .onFailure(failureRecord(records, { ...context, functionName: opts.functionName ?? 'stream-consumer' }))
      .catch(onError);
  }

  /** Drops the records past the maximum record age (reported), keeping the others in order. */
  async function dropExpired(records: DynamoDBRecord[], shardId: string): Promise<DynamoDBRecord[]> {
    if (maxRecordAgeSeconds < 0) return records;
    const oldest = Date.now() / 1000 - maxRecordAgeSeconds;
    const expired = records.filter((record) => (record.dynamodb?.ApproximateCreationDateTime ?? 0) < oldest);
    if (expired.length === 0) return records;
    onError(
      new StreamRecordsExpiredError(
        expired.map((record) => record.dynamodb?.SequenceNumber ?? ''),
        maxRecordAgeSeconds,
      ),
    );
    await discarded(expired, shardId, 'EventAgeExceeded', 0);
    return records.filter((record) => !expired.includes(record));
  }

  /** Invokes the handler until the batch succeeds, retrying from the checkpoint it reports. */
  async function deliverBatch(batch: DynamoDBRecord[], shardId: string): Promise<void> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      pending = await dropExpired(pending, shardId);
      if (pending.length === 0) return;
      if (attempt > 0) {
        if (maxRetryAttempts >= 0 && attempt > maxRetryAttempts) {
          onError(
            new StreamRecordsSkippedError(
              pending.map((record) => record.dynamodb?.SequenceNumber ?? ''),
              attempt,
            ),
          );
          await discarded(pending, shardId, 'RetryAttemptsExhausted', attempt);
          return;
        }
        await pause(backoff(attempt));
        if (signal.aborted) return;
      }
      try {
        const response = await invoke({ Records: pending });
        pending = pending.slice(checkpoint(pending, response));
        if (pending.length === 0) return;
      } catch (error) {
        onError(error);
        if (opts.bisectBatchOnError && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await deliverBatch(pending.slice(0, half), shardId);
          if (!signal.aborted) await deliverBatch(pending.slice(half), shardId);
          return;
        }
      }
    }
  }

  /** The index to retry from: past the end when nothing failed; throws (whole batch) on an unknown id. */
  function checkpoint(records: DynamoDBRecord[], response: DynamoDBBatchResponse | undefined): number {
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return records.length;
    let lowest = records.length;
    for (const failure of failures) {
      const index = records.findIndex(
        (record) => record.dynamodb?.SequenceNumber === failure?.itemIdentifier,
      );
      if (!failure?.itemIdentifier || index === -1) throw new UnknownBatchItemError(failure?.itemIdentifier);
      lowest = Math.min(lowest, index);
    }
    return lowest;
  }

  async function invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined> {
    const handler = opts.handler as (
      event: DynamoDBStreamEvent,
      context: Context,
    ) => Promise<DynamoDBBatchResponse | undefined>;
    const invocation = invokeWithTimeout(handler, event, {
      functionName: opts.functionName ?? 'stream-consumer',
      timeoutMs: functionTimeoutMs,
    });
    try {
      return (await invocation.result) ?? undefined;
    } catch (error) {
      // The shard goes on only once the timed-out invocation has really stopped (its AWS calls fail).
      if (error instanceof FunctionTimeoutError) await invocation.settled;
      throw error;
    }
  }

  return deliverBatch;
}
