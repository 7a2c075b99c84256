/**
 * Statistics from the jobs stream against DynamoDB Local: the writer counts each record once however a
 * batch is redelivered (the same batch again, a longer one, one starting inside what was counted, a batch
 * that takes several transactions), and counters read through the store equal a recount of the jobs.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { DynamoMetricsReader } from '../../functions/adapters/dynamodb/metrics-reader.ts';
import { rollupKey } from '../../functions/adapters/dynamodb/stats-aggregate.ts';
import { userScope } from '../../functions/adapters/dynamodb/stats-items.ts';
import { DynamoStatsWriter } from '../../functions/adapters/dynamodb/stats-writer.ts';
import { toStreamChange } from '../../functions/adapters/dynamodb/stream-change.ts';
import { systemClock, TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import { claim, complete } from '../../functions/core/transitions.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { startStreamReader } from '../../functions/local/realtime/dynamodb-stream-reader.ts';
import type { StreamChange } from '../../functions/usecases/aggregate-stats.ts';
import { queueMetrics } from '../../functions/usecases/metrics.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { expectStatsToReach } from '../support/stats-stream.ts';

const client = dynamoClient();
let tableName: string;
let store: DynamoJobStore;
let writer: DynamoStatsWriter;

beforeAll(async () => {
  const tables = await provisionTables(client, uniquePrefix('stats-stream'));
  tableName = tables.Jobs as string;
  store = new DynamoJobStore({ client, tableName, retentionDays: 30 });
  writer = new DynamoStatsWriter({ client, tableName, clock: systemClock });
});

let sequence = 1000n;
/** Synthetic stream records: each job's insert, with growing sequence numbers and unique event ids. */
function inserts(userId: string, count: number, userCount = 1): StreamChange[] {
  return Array.from({ length: count }, (_, i) => {
    sequence += 1n;
    return {
      eventId: `${userId}-${sequence}`,
      sequenceNumber: String(sequence).padStart(21, '0'),
      before: undefined,
      after: aJob({ userId: userCount > 1 ? `${userId}-${i % userCount}` : userId }),
    };
  });
}

const queuedOf = async (userId: string) => (await store.readStats({ userId })).byStatus.queued;

describe('the statistics writer', () => {
  it('counts a redelivered batch, a longer redelivery and a later overlap exactly once', async () => {
    const records = inserts('redeliver', 8);
    expect(await writer.apply(records.slice(0, 5))).toEqual({ chunks: 1, skipped: 0 });
    expect(await writer.apply(records.slice(0, 5))).toEqual({ chunks: 0, skipped: 5 });
    expect(await queuedOf('redeliver')).toBe(5);
    // The event source retried from the same first record with more records behind it.
    expect(await writer.apply(records.slice(0, 7))).toEqual({ chunks: 1, skipped: 5 });
    // ... and then from the first record of that second chunk.
    expect(await writer.apply(records.slice(5, 8))).toEqual({ chunks: 1, skipped: 2 });
    expect(await queuedOf('redeliver')).toBe(8);
    expect((await store.readStats({ all: true })).byPriority['5']).toBeGreaterThanOrEqual(8);
  });

  it('splits a batch touching more items than a transaction holds, and recognises every chunk again', async () => {
    // 60 users: 2 counters + 6 rollups each, far over 100 items.
    const records = inserts('wide', 60, 60);
    const first = await writer.apply(records);
    expect(first.chunks).toBeGreaterThan(1);
    expect(await writer.apply(records)).toEqual({ chunks: 0, skipped: 60 });
    const counts = await Promise.all(Array.from({ length: 60 }, (_, i) => queuedOf(`wide-${i}`)));
    expect(counts).toEqual(Array.from({ length: 60 }, () => 1));
  });
});

describe('reading rollups', () => {
  it('sums attributes written before the coded names with coded ones of the same bucket', async () => {
    const bucket = Date.parse('2026-11-27T08:00:00.000Z');
    const key = rollupKey(userScope('upgraded'), 60, bucket);
    // A bucket begun by the previous version (full names), continued by this one (codes).
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall({ ...key, 'completed|normal|demo': 2, 'c|n|demo': 3, 'r|h|demo': 1 }),
      }),
    );
    const buckets = await new DynamoMetricsReader({ client, tableName }).buckets(
      { userId: 'upgraded' },
      60,
      bucket,
      bucket,
    );
    expect(buckets).toEqual([{ at: bucket, counts: { 'completed|normal|demo': 5, 'started|high|demo': 1 } }]);
  });
});

describe('counting the real stream', () => {
  const streams = new DynamoDBStreamsClient(localClientConfig(inject('dynamodbEndpoint')));
  afterAll(() => streams.destroy());

  it('counts once when a batch fails after it was counted and is retried whole; counters equal a recount', async () => {
    let failed = 0;
    const reader = await startStreamReader({
      dynamodb: client,
      streams,
      tableName,
      startingPosition: 'LATEST',
      pollIntervalMs: 50,
      maxBatchingWindowMs: 300,
      handler: async (event: DynamoDBStreamEvent) => {
        await writer.apply(event.Records.map(toStreamChange));
        // A crash after the counts were written, before the answer: the whole batch comes again.
        if (failed++ < 3) throw new Error('crashed after counting');
        return { batchItemFailures: [] };
      },
      onError: () => undefined,
    });
    try {
      const clock = new TestClock('2026-11-27T09:00:00.000Z');
      const reference = new MemoryJobStore();
      const jobs: Job[] = [];
      for (let i = 0; i < 12; i++) {
        const job = aJob({
          userId: 'streamed',
          type: i % 2 ? 'demo' : 'other',
          createdAt: clock.now().toISOString(),
        });
        await store.create(job);
        jobs.push(job);
      }
      clock.tick(2_000);
      for (const [i, job] of jobs.entries()) {
        let current = (await store.apply(job, claim(job, clock.now()))) as Job;
        if (i % 3 === 0)
          current = (await store.apply(current, complete(current, { ok: i }, clock.now()))) as Job;
        reference.jobs.set(job.id, current);
      }
      // The first run may already count everything; the retries of the same batch must add nothing.
      await expect.poll(() => failed, { timeout: 30_000, interval: 100 }).toBeGreaterThan(3);
      await expectStatsToReach(
        (scope) => store.readStats(scope),
        { userId: 'streamed' },
        await reference.readStats({ userId: 'streamed' }),
      );
      const metrics = await queueMetrics(
        { metrics: new DynamoMetricsReader({ client, tableName }), clock },
        { userId: 'streamed' },
        { from: '2026-11-27T09:00:00.000Z', to: '2026-11-27T09:00:00.000Z', step: 60 },
      );
      expect(metrics.points).toEqual([
        expect.objectContaining({ t: '2026-11-27T09:00:00.000Z', submitted: 12, started: 12, completed: 4 }),
      ]);
    } finally {
      await reader.stop();
    }
  });
});
