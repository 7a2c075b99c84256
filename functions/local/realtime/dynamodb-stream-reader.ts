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
 * moment `startStreamReader` resolves; shards found later are read from their start. With `checkpoints`,
 * the position in each shard is saved after every delivered batch and a restarted reader resumes right
 * after it (./stream-checkpoints.ts), as a mapping keeps its checkpoint. A timed-out invocation is fenced
 * (../invoke-with-timeout.ts) and the shard waits until it has really stopped. Batch delivery, retries and
 * the on-failure destination: ./stream-batch-delivery.ts.
 *
 * The batching window is emulated (records are gathered until the batch is full or the window has passed).
 * Not emulated: parallelization factor; split halves get fresh retry counts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  type Shard,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { passesFilters } from '../event-source/event-filter.ts';
import { batchDelivery, retryBackoff } from './stream-batch-delivery.ts';
import { checkpointWriter, type ShardPositions } from './stream-checkpoints.ts';
import type { StreamReaderOptions } from './stream-reader-types.ts';
import { toLambdaRecord } from './stream-records.ts';

export {
  type StreamFailureRecord,
  type StreamReaderOptions,
  StreamRecordsExpiredError,
  StreamRecordsSkippedError,
} from './stream-reader-types.ts';

export interface StreamReader {
  streamArn: string;
  stop(): Promise<void>;
}

interface ShardState {
  shard: Shard;
  status: 'waiting' | 'reading' | 'done';
  startType: ShardIteratorType;
  /** Taken at start for LATEST shards, so nothing written after start() resolves is missed. */
  iterator?: string;
  /** The last sequence number delivered (or skipped): where a restarted read resumes. */
  after?: string;
  /** Closed and read to its end. */
  drained?: boolean;
}

export async function startStreamReader(opts: StreamReaderOptions): Promise<StreamReader> {
  const batchSize = opts.batchSize ?? 100;
  const pollIntervalMs = opts.pollIntervalMs ?? 100;
  const batchingWindowMs = opts.maxBatchingWindowMs ?? 0;
  const filters = opts.filters ?? [];
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
  if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled)
    throw new Error(`table ${opts.tableName} has no stream`);
  const streamArn: string = Table.LatestStreamArn;

  const shards = new Map<string, ShardState>();
  const loops = new Set<Promise<void>>();
  const snapshot = (): ShardPositions =>
    Object.fromEntries(
      [...shards].map(([id, state]) => [id, { after: state.after, ...(state.drained && { drained: true }) }]),
    );
  const positions = opts.checkpoints && checkpointWriter(opts.checkpoints, streamArn, snapshot, onError);
  const deliverBatch = batchDelivery({ ...opts, streamArn, region, signal, pause, onError });

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
    let iterator = state.iterator;
    let failures = 0;
    while (!signal.aborted) {
      try {
        iterator ??= state.after
          ? await shardIterator(state, 'AFTER_SEQUENCE_NUMBER', state.after)
          : await shardIterator(state, state.startType);
        const page = await opts.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }),
          {
            abortSignal: signal,
          },
        );
        failures = 0;
        const { records, nextIterator } = await fillWindow(page.Records ?? [], page.NextShardIterator);
        // Stopping: what was gathered is read again after a restart, from the checkpoint.
        if (signal.aborted) return;
        if (records.length > 0) {
          await deliver(records, state.shard.ShardId ?? '');
          // A delivery cut short by the stop is not checkpointed: it is delivered again (consumers are
          // idempotent for a redelivery that starts at the same record).
          if (signal.aborted) return;
          state.after = records[records.length - 1]?.dynamodb?.SequenceNumber ?? state.after;
          positions?.save();
        }
        // A closed shard that is drained has no next iterator: its children come next.
        if (!nextIterator) {
          state.drained = true;
          positions?.save();
          return;
        }
        iterator = nextIterator;
        if (records.length === 0) await pause(pollIntervalMs);
      } catch (error) {
        if (signal.aborted) return;
        iterator = undefined;
        if (error instanceof ExpiredIteratorException) continue;
        if (error instanceof TrimmedDataAccessException) {
          state.after = undefined;
          state.startType = 'TRIM_HORIZON';
          continue;
        }
        if (error instanceof ResourceNotFoundException) return;
        onError(error);
        await pause(retryBackoff(++failures));
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
      .map((record) => toLambdaRecord(record, streamArn, region))
      .filter((record) => passesFilters(record, filters));
    if (records.length > 0) await deliverBatch(records, shardId);
  }

  function track(found: Shard[], startType: ShardIteratorType): void {
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, { shard, status: 'waiting', startType });
    }
  }

  // Resuming: each shard after its checkpoint (a shard without one has appeared since, and is read from
  // its start). Otherwise open shards start at LATEST now and closed ones, holding only the past, are
  // skipped; later shards start at their beginning.
  const saved = await opts.checkpoints?.load(streamArn);
  for (const shard of await describeShards()) {
    if (!shard.ShardId) continue;
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    const latest = !saved && (opts.startingPosition ?? 'LATEST') === 'LATEST';
    const position = saved?.[shard.ShardId];
    const state: ShardState = {
      shard,
      status: (latest && closed) || position?.drained ? 'done' : 'waiting',
      startType: latest ? 'LATEST' : 'TRIM_HORIZON',
      ...(position?.after && { after: position.after }),
      ...(position?.drained && { drained: true }),
    };
    if (latest && !closed) state.iterator = await shardIterator(state, 'LATEST');
    shards.set(shard.ShardId, state);
  }
  // From now on the stream is this reader's: a restart resumes, whatever it has delivered by then.
  positions?.save();
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
        await positions?.flush();
      })();
      return stopped;
    },
  };
}
