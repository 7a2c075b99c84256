/**
 * Shard lineage and iterator recovery of the local stream event source, over a fake DynamoDB Streams API
 * (DynamoDB Local never splits shards on demand, so these cases cannot be staged against it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { streamReaderSettings } from '../../../functions/local/event-source/mappings.ts';
import {
  type StreamReader,
  type StreamReaderOptions,
  StreamRecordsExpiredError,
  StreamRecordsSkippedError,
  startStreamReader,
} from '../../../functions/local/realtime/dynamodb-stream-reader.ts';
import { streamEventSources } from '../../../infra/function-settings.ts';

interface FakeShard {
  id: string;
  parent?: string;
  /** Item ids; sequence numbers are derived from the shard and the position. */
  records: string[];
  closed: boolean;
}

class FakeStreams {
  readonly shards: FakeShard[] = [];
  readonly iteratorRequests: string[] = [];
  /** Iterators that answer ExpiredIteratorException once. */
  readonly expireOnce = new Set<string>();
  /** Creation time (ms) of an item's record; now when absent. */
  readonly createdAt = new Map<string, number>();

  seq(shard: FakeShard, index: number): string {
    return `${this.shards.indexOf(shard) + 1}${String(index).padStart(6, '0')}`;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof DescribeStreamCommand) {
      return {
        StreamDescription: {
          Shards: this.shards.map((shard) => ({
            ShardId: shard.id,
            ...(shard.parent && { ParentShardId: shard.parent }),
            SequenceNumberRange: {
              StartingSequenceNumber: this.seq(shard, 0),
              ...(shard.closed && { EndingSequenceNumber: this.seq(shard, shard.records.length) }),
            },
          })),
        },
      };
    }
    if (command instanceof GetShardIteratorCommand) {
      const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
      this.iteratorRequests.push(
        `${ShardId} ${ShardIteratorType}${SequenceNumber ? ` ${SequenceNumber}` : ''}`,
      );
      const shard = this.shard(ShardId);
      const position =
        ShardIteratorType === 'TRIM_HORIZON'
          ? 0
          : ShardIteratorType === 'LATEST'
            ? shard.records.length
            : shard.records.findIndex((_, i) => this.seq(shard, i) === SequenceNumber) + 1;
      return { ShardIterator: `${shard.id}|${position}` };
    }
    if (command instanceof GetRecordsCommand) {
      const iterator = command.input.ShardIterator ?? '';
      if (this.expireOnce.delete(iterator)) {
        throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
      }
      const [id, at] = iterator.split('|');
      const shard = this.shard(id);
      const position = Number(at);
      const records = shard.records.slice(position, position + (command.input.Limit ?? 100));
      const next = position + records.length;
      return {
        Records: records.map((item, i) => ({
          eventID: `${shard.id}-${position + i}`,
          eventName: 'INSERT',
          dynamodb: {
            Keys: { pk: { S: item }, sk: { S: item.startsWith('edge') ? 'DEP#x' : 'JOB' } },
            SequenceNumber: this.seq(shard, position + i),
            ApproximateCreationDateTime: new Date(this.createdAt.get(item) ?? Date.now()),
          },
        })),
        ...(!(shard.closed && next >= shard.records.length) && { NextShardIterator: `${shard.id}|${next}` }),
      };
    }
    throw new Error(`unexpected command ${String(command)}`);
  }

  shard(id: string | undefined): FakeShard {
    const shard = this.shards.find((candidate) => candidate.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }
}

const table = {
  send: async (command: unknown) => {
    if (!(command instanceof DescribeTableCommand)) throw new Error('unexpected command');
    return { Table: { LatestStreamArn: 'arn:stream', StreamSpecification: { StreamEnabled: true } } };
  },
} as unknown as DynamoDBClient;

const running: StreamReader[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((reader) => reader.stop()));
});

async function read(
  fake: FakeStreams,
  startingPosition: 'LATEST' | 'TRIM_HORIZON',
  options: Partial<StreamReaderOptions> = {},
) {
  const seen: string[] = [];
  const reader = await startStreamReader({
    dynamodb: table,
    streams: fake as unknown as DynamoDBStreamsClient,
    tableName: 'fake',
    startingPosition,
    pollIntervalMs: 5,
    discoveryIntervalMs: 20,
    handler: async (event: DynamoDBStreamEvent) => {
      for (const record of event.Records) seen.push(record.dynamodb?.Keys?.pk?.S ?? '');
      return undefined;
    },
    onError: () => undefined,
    ...options,
  });
  running.push(reader);
  return seen;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await sleep(5);
  }
}

describe('stream shards', () => {
  it('reads a child shard only after its parent is drained', async () => {
    const fake = new FakeStreams();
    fake.shards.push(
      { id: 'child', parent: 'parent', records: ['c1', 'c2'], closed: false },
      { id: 'parent', records: ['p1', 'p2', 'p3'], closed: true },
    );
    const seen = await read(fake, 'TRIM_HORIZON');
    await until(() => seen.length === 5);
    expect(seen).toEqual(['p1', 'p2', 'p3', 'c1', 'c2']);
  });

  it('at LATEST, skips closed shards and reads new shards from their start', async () => {
    const fake = new FakeStreams();
    fake.shards.push(
      { id: 'old', records: ['o1'], closed: true },
      { id: 'current', parent: 'old', records: ['before-start'], closed: false },
    );
    const seen = await read(fake, 'LATEST');
    fake.shard('current').records.push('after-start');
    await until(() => seen.length === 1);
    // The current shard closes and a child takes over (a shard rollover).
    fake.shard('current').closed = true;
    fake.shards.push({ id: 'next', parent: 'current', records: ['n1', 'n2'], closed: false });
    await until(() => seen.length === 3);
    expect(seen).toEqual(['after-start', 'n1', 'n2']);
    expect(fake.iteratorRequests).toContain('next TRIM_HORIZON');
  });

  it('gets a fresh iterator after the last record delivered when one expires', async () => {
    const fake = new FakeStreams();
    fake.shards.push({ id: 'only', records: ['a', 'b'], closed: false });
    const seen = await read(fake, 'TRIM_HORIZON');
    await until(() => seen.length === 2);
    fake.expireOnce.add('only|2');
    fake.shard('only').records.push('c');
    await until(() => seen.length === 3);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(fake.iteratorRequests).toContain(`only AFTER_SEQUENCE_NUMBER ${fake.seq(fake.shard('only'), 1)}`);
  });
});

describe('event source settings applied by the local reader', () => {
  it('passes only records that match the filters (the notifier reads job items only)', async () => {
    const fake = new FakeStreams();
    fake.shards.push({ id: 'only', records: ['job-1', 'edge-1', 'job-2'], closed: false });
    const { filters } = streamReaderSettings(streamEventSources.notifier);
    const seen = await read(fake, 'TRIM_HORIZON', { filters });
    await until(() => seen.length === 2);
    await sleep(50);
    expect(seen).toEqual(['job-1', 'job-2']);
  });

  it('drops records older than the maximum record age before invoking', async () => {
    const fake = new FakeStreams();
    fake.shards.push({ id: 'only', records: ['stale', 'fresh'], closed: false });
    fake.createdAt.set('stale', Date.now() - 10 * 60_000);
    const errors: unknown[] = [];
    const seen = await read(fake, 'TRIM_HORIZON', {
      maxRecordAgeSeconds: 300,
      onError: (error) => errors.push(error),
    });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['fresh']);
    expect(errors[0]).toBeInstanceOf(StreamRecordsExpiredError);
  });

  it('bisects a failing batch until the bad record is isolated, then skips it after its retries', async () => {
    const fake = new FakeStreams();
    fake.shards.push({ id: 'only', records: ['a', 'b', 'bad', 'd'], closed: false });
    const delivered: string[] = [];
    const batches: string[][] = [];
    const errors: unknown[] = [];
    await read(fake, 'TRIM_HORIZON', {
      bisectBatchOnError: true,
      maxRetryAttempts: 1,
      onError: (error) => errors.push(error),
      handler: async (event: DynamoDBStreamEvent) => {
        const keys = event.Records.map((record) => record.dynamodb?.Keys?.pk?.S ?? '');
        batches.push(keys);
        if (keys.includes('bad')) throw new Error('poison record');
        delivered.push(...keys);
        return undefined;
      },
    });
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(['a', 'b', 'd']);
    expect(batches).toContainEqual(['a', 'b']);
    expect(batches).toContainEqual(['bad']);
    const skipped = errors.filter((error) => error instanceof StreamRecordsSkippedError);
    expect(skipped).toHaveLength(1);
    expect((skipped[0] as StreamRecordsSkippedError).sequenceNumbers).toHaveLength(1);
  });
});
