/**
 * Local stand-in for a Lambda DynamoDB Streams event source mapping with ReportBatchItemFailures on.
 *
 * Finds the table's stream, reads each shard with GetShardIterator/GetRecords in order, one batch at a time
 * (up to `batchSize` records), and invokes the handler with a Lambda-shaped `DynamoDBStreamEvent`:
 * - handler resolves without failures: the batch is done;
 * - handler lists failures: the batch is retried from the lowest failed sequence number (that record and
 *   every later one), as Lambda checkpoints;
 * - handler throws, times out, or lists an identifier not in the batch: the whole batch is retried.
 * Retries back off, up to `maxRetryAttempts` (then the records are reported through onError and skipped,
 * like an event source with MaximumRetryAttempts). With `bisectBatchOnError`, a batch whose invocation
 * fails as a whole is split in two and each half is delivered (with its own retries) until the bad record
 * is isolated. Records older than `maxRecordAgeSeconds` are dropped before an invocation (reported through
 * onError), and records that match none of `filters` never reach the handler, as on AWS.
 * A shard's children are read only after it is drained, so lineage keeps order; shards are discovered
 * again every `discoveryIntervalMs`. Starting position LATEST (the default) reads the open shards from the
 * moment `startStreamReader` resolves; shards found later are read from their start. A timed-out
 * invocation is fenced (../invoke-with-timeout.ts) and the shard waits until it has really stopped.
 *
 * The batching window is emulated (records are gathered until the batch is full or the window has passed).
 * Not emulated: parallelization factor; split halves get fresh retry counts.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  type Shard,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { FilterPattern } from '../../../infra/function-settings.ts';
import { passesFilters } from '../event-source/event-filter.ts';
import { UnknownBatchItemError } from '../event-source/sqs-poller.ts';
import { FunctionTimeoutError, invokeWithTimeout } from '../invoke-with-timeout.ts';
import { toLambdaRecord } from './stream-records.ts';

export interface StreamReaderOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  /** May resolve to nothing, like a Lambda handler: then every record succeeded. */
  handler: (
    event: DynamoDBStreamEvent,
    context: Context,
  ) => Promise<DynamoDBBatchResponse | undefined> | Promise<void>;
  /** Records per invocation (Lambda's default for streams is 100; GetRecords allows up to 1000). */
  batchSize?: number;
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Wait before reading a shard again after an empty read (Lambda polls 4 times a second). */
  pollIntervalMs?: number;
  discoveryIntervalMs?: number;
  /** Wait up to this long for a full batch once records arrived (MaximumBatchingWindowInSeconds); 0: none. */
  maxBatchingWindowMs?: number;
  /** Retries of a failed batch before its records are skipped; -1 retries forever (Lambda's default). */
  maxRetryAttempts?: number;
  /** Split a batch whose invocation fails as a whole (BisectBatchOnFunctionError). */
  bisectBatchOnError?: boolean;
  /** Records older than this are dropped unprocessed (MaximumRecordAgeInSeconds); -1: no limit. */
  maxRecordAgeSeconds?: number;
  /** Lambda event filter patterns (FilterCriteria); records matching none are skipped. */
  filters?: readonly FilterPattern[];
  functionTimeoutMs?: number;
  functionName?: string;
  region?: string;
  /**
   * The on-failure destination: receives the metadata of each batch discarded after its retries or for its
   * age, in Lambda's shape (`DDBStreamBatchInfo`), as Lambda sends it to an SQS on-failure destination.
   */
  onFailure?: (record: StreamFailureRecord) => Promise<void>;
  /** Handler failures, skipped records and stream errors; reading goes on after each. */
  onError?: (error: unknown) => void;
}

/** What Lambda sends an on-failure destination about a discarded stream batch. */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamReader {
  streamArn: string;
  stop(): Promise<void>;
}

export class StreamRecordsExpiredError extends Error {
  readonly code = 'STREAM_RECORDS_EXPIRED';
  constructor(
    readonly sequenceNumbers: string[],
    readonly maxRecordAgeSeconds: number,
  ) {
    super(`${sequenceNumbers.length} stream record(s) dropped: older than ${maxRecordAgeSeconds} s`);
    this.name = 'StreamRecordsExpiredError';
  }
}

export class StreamRecordsSkippedError extends Error {
  readonly code = 'STREAM_RECORDS_SKIPPED';
  constructor(
    readonly sequenceNumbers: string[],
    readonly attempts: number,
  ) {
    super(`${sequenceNumbers.length} stream record(s) skipped after ${attempts} failed attempts`);
    this.name = 'StreamRecordsSkippedError';
  }
}

interface ShardState {
  shard: Shard;
  status: 'waiting' | 'reading' | 'done';
  startType: ShardIteratorType;
  /** Taken at start for LATEST shards, so nothing written after start() resolves is missed. */
  iterator?: string;
}

const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const backoff = (attempt: number) => Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS);

export async function startStreamReader(opts: StreamReaderOptions): Promise<StreamReader> {
  const batchSize = opts.batchSize ?? 100;
  const pollIntervalMs = opts.pollIntervalMs ?? 100;
  const maxRetryAttempts = opts.maxRetryAttempts ?? 10;
  const batchingWindowMs = opts.maxBatchingWindowMs ?? 0;
  const maxRecordAgeSeconds = opts.maxRecordAgeSeconds ?? -1;
  const filters = opts.filters ?? [];
  const functionTimeoutMs = opts.functionTimeoutMs ?? 60_000;
  const region = opts.region ?? 'us-east-1';
  const report = opts.onError ?? ((error: unknown) => console.error('[stream-reader]', error));
  const onError = (error: unknown): void => {
    try {
      report(error);
    } catch {}
  };
  const stopping = new AbortController();
  const { signal } = stopping;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined);

  const { Table } = await opts.dynamodb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn || !Table?.StreamSpecification?.StreamEnabled)
    throw new Error(`table ${opts.tableName} has no stream`);

  const shards = new Map<string, ShardState>();
  const loops = new Set<Promise<void>>();

  async function describeShards(): Promise<Shard[]> {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await opts.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return found;
  }

  async function shardIterator(state: ShardState, type: ShardIteratorType, after?: string): Promise<string> {
    const { ShardIterator } = await opts.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: state.shard.ShardId,
        ShardIteratorType: type,
        ...(after && { SequenceNumber: after }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for shard ${state.shard.ShardId}`);
    return ShardIterator;
  }

  /** Starts every waiting shard whose parent is drained (or unknown: trimmed away). */
  function schedule(): void {
    for (const state of shards.values()) {
      if (state.status !== 'waiting') continue;
      const parent = state.shard.ParentShardId ? shards.get(state.shard.ParentShardId) : undefined;
      if (parent && parent.status !== 'done') continue;
      state.status = 'reading';
      const loop = readShard(state)
        .catch(onError)
        .finally(() => {
          state.status = 'done';
          loops.delete(loop);
          if (!signal.aborted) schedule();
        });
      loops.add(loop);
    }
  }

  async function readShard(state: ShardState): Promise<void> {
    let lastSequence: string | undefined;
    let iterator = state.iterator;
    let failures = 0;
    while (!signal.aborted) {
      try {
        iterator ??= lastSequence
          ? await shardIterator(state, 'AFTER_SEQUENCE_NUMBER', lastSequence)
          : await shardIterator(state, state.startType);
        const page = await opts.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }),
          {
            abortSignal: signal,
          },
        );
        failures = 0;
        const { records, nextIterator } = await fillWindow(page.Records ?? [], page.NextShardIterator);
        if (records.length > 0) {
          await deliver(records, state.shard.ShardId ?? '');
          lastSequence = records[records.length - 1]?.dynamodb?.SequenceNumber ?? lastSequence;
        }
        // A closed shard that is drained has no next iterator: its children come next.
        if (!nextIterator) return;
        iterator = nextIterator;
        if (records.length === 0) await pause(pollIntervalMs);
      } catch (error) {
        if (signal.aborted) return;
        iterator = undefined;
        if (error instanceof ExpiredIteratorException) continue;
        if (error instanceof TrimmedDataAccessException) {
          lastSequence = undefined;
          state.startType = 'TRIM_HORIZON';
          continue;
        }
        if (error instanceof ResourceNotFoundException) return;
        onError(error);
        await pause(backoff(++failures));
      }
    }
  }

  /**
   * MaximumBatchingWindowInSeconds: once records arrived, keep reading until the batch is full or the
   * window since the first read has passed.
   */
  async function fillWindow(
    first: _Record[],
    next: string | undefined,
  ): Promise<{ records: _Record[]; nextIterator: string | undefined }> {
    let records = first;
    let nextIterator = next;
    const until = Date.now() + batchingWindowMs;
    while (records.length > 0 && records.length < batchSize && nextIterator && !signal.aborted) {
      const left = until - Date.now();
      if (left <= 0) break;
      await pause(Math.min(pollIntervalMs, left));
      const page = await opts.streams.send(
        new GetRecordsCommand({ ShardIterator: nextIterator, Limit: batchSize - records.length }),
        { abortSignal: signal },
      );
      records = records.concat(page.Records ?? []);
      nextIterator = page.NextShardIterator;
    }
    return { records, nextIterator };
  }

  /** Filters the page's records and delivers the rest. */
  async function deliver(sdkRecords: _Record[], shardId: string): Promise<void> {
    const records = sdkRecords
      .map((record) => toLambdaRecord(record, streamArn as string, region))
      .filter((record) => passesFilters(record, filters));
    if (records.length > 0) await deliverBatch(records, shardId);
  }

  /** An on-failure destination gets the metadata of a discarded batch (Lambda's DDBStreamBatchInfo). */
  async function discarded(
    records: DynamoDBRecord[],
    shardId: string,
    condition: 'RetryAttemptsExhausted' | 'EventAgeExceeded',
    invokeCount: number,
  ): Promise<void> {
    if (!opts.onFailure || records.length === 0) return;
    const arrival = (record: DynamoDBRecord | undefined) =>
      new Date((record?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
    await opts
      .onFailure({
        requestContext: {
          requestId: randomUUID(),
          functionArn: `arn:aws:lambda:${region}:000000000000:function:${opts.functionName ?? 'stream-consumer'}`,
          condition,
          approximateInvokeCount: invokeCount,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
          endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
          approximateArrivalOfFirstRecord: arrival(records[0]),
          approximateArrivalOfLastRecord: arrival(records.at(-1)),
          batchSize: records.length,
          streamArn: streamArn as string,
        },
      })
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

  function track(found: Shard[], startType: ShardIteratorType): void {
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, { shard, status: 'waiting', startType });
    }
  }

  // Open shards start at LATEST now; closed ones hold only the past. Later shards start at their beginning.
  for (const shard of await describeShards()) {
    if (!shard.ShardId) continue;
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    const latest = (opts.startingPosition ?? 'LATEST') === 'LATEST';
    const state: ShardState = {
      shard,
      status: latest && closed ? 'done' : 'waiting',
      startType: latest ? 'LATEST' : 'TRIM_HORIZON',
    };
    if (latest && !closed) state.iterator = await shardIterator(state, 'LATEST');
    shards.set(shard.ShardId, state);
  }
  schedule();

  const discovery = (async () => {
    while (!signal.aborted) {
      await pause(opts.discoveryIntervalMs ?? 1000);
      if (signal.aborted) return;
      try {
        track(await describeShards(), 'TRIM_HORIZON');
        schedule();
      } catch (error) {
        onError(error);
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    streamArn,
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await discovery;
        while (loops.size > 0) await Promise.allSettled([...loops]);
      })();
      return stopped;
    },
  };
}
