/**
 * Every request does bounded work (issue 11, item 3): the listing, the counts, a user's past-deadline count
 * and the maintenance deadline sweep examine a capped number of index items however many non-matching items
 * (another user's, another type's, long overdue) the table holds. A middleware on the client records every
 * command with the items DynamoDB examined (ScannedCount), against DynamoDB Local.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_COUNTED, MAX_EXAMINED_PER_PAGE } from '../../functions/adapters/dynamodb/index-reads.ts';
import { toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import { createTableInput, localTableName, provisionTables } from '../../functions/local/provision.ts';
import { recover } from '../../functions/usecases/maintenance.ts';
import { tables } from '../../infra/resources.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';
import { startStatsCounting } from '../support/stats-stream.ts';

interface Call {
  command: string;
  index: string | undefined;
  scanned: number;
}

/** A client whose every command is recorded with its index and the items it examined. */
function countingClient(): { client: DynamoDBClient; calls: Call[] } {
  const client = dynamoClient();
  const calls: Call[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { IndexName?: string };
      const output = result.output as { ScannedCount?: number };
      calls.push({
        command: context.commandName ?? '',
        index: input.IndexName,
        scanned: output.ScannedCount ?? 0,
      });
      return result;
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, calls };
}

const NOW = new Date('2026-10-10T12:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000).toISOString();
const createdAt = (i: number) => new Date(Date.UTC(2026, 8, 1) + i * 1000).toISOString();

async function putAll(client: DynamoDBClient, tableName: string, jobs: Job[]): Promise<void> {
  const chunks: Job[][] = [];
  for (let start = 0; start < jobs.length; start += 25) chunks.push(jobs.slice(start, start + 25));
  for (let start = 0; start < chunks.length; start += 4) {
    await Promise.all(
      chunks.slice(start, start + 4).map(async (chunk) => {
        let requests = chunk.map((job) => ({ PutRequest: { Item: toItem(job, { retentionDays: 30 }) } }));
        while (requests.length > 0) {
          const result = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }),
    );
  }
}

const BULK = 1100;
const { client, calls } = countingClient();
let store: DynamoJobStore;
let tableName: string;
/** Matches of type `rare`, the oldest of the bulk user's queued jobs (so a listing meets them last). */
const rare: Job[] = [];

beforeAll(async () => {
  tableName = (await provisionTables(client, uniquePrefix('bounded'))).Jobs as string;
  store = new DynamoJobStore({ client, tableName, retentionDays: 30 });
  const bulk = Array.from({ length: BULK }, (_, i) =>
    aJob({ userId: 'bulk', type: 'common', createdAt: createdAt(100 + i), deadline: minutes(-120) }),
  );
  for (let i = 0; i < 3; i++) rare.push(aJob({ userId: 'bulk', type: 'rare', createdAt: createdAt(i) }));
  await putAll(client, tableName, [...bulk, ...rare]);
}, 120_000);

beforeEach(() => {
  calls.length = 0;
});

const scanned = (filter: (call: Call) => boolean = () => true) =>
  calls.filter(filter).reduce((sum, call) => sum + call.scanned, 0);

describe('a filtered listing', () => {
  it('examines at most MAX_EXAMINED_PER_PAGE index items and returns a cursor, even with no match', async () => {
    const page = await store.listByUser('bulk', { status: 'queued', type: 'nomatch', limit: 1 });
    expect(page.items).toEqual([]);
    expect(page.nextCursor).not.toBeNull();
    expect(calls.filter((call) => call.command === 'QueryCommand')).toHaveLength(1);
    expect(scanned()).toBeLessThanOrEqual(MAX_EXAMINED_PER_PAGE);
  });

  it('finds every match by following cursors, each page bounded, the matches in order', async () => {
    const found: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      calls.length = 0;
      const page = await store.listByUser('bulk', { status: 'queued', type: 'rare', limit: 2, cursor });
      expect(scanned((call) => call.command === 'QueryCommand')).toBeLessThanOrEqual(MAX_EXAMINED_PER_PAGE);
      expect(page.items.length).toBeLessThanOrEqual(2);
      found.push(...page.items.map((job) => job.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);
    expect(cursor).toBeUndefined();
    // Newest first: the rare jobs were created in order 0, 1, 2.
    expect(found).toEqual(rare.map((job) => job.id).reverse());
  });

  it('resumes after the last returned match when a page holds more matches than the limit', async () => {
    const first = await store.listByUser('bulk', { status: 'queued', type: 'common', limit: 3 });
    const second = await store.listByUser('bulk', {
      status: 'queued',
      type: 'common',
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    const unfiltered = await store.listByUser('bulk', { status: 'queued', limit: 6 });
    expect([...first.items, ...second.items].map((job) => job.id)).toEqual(
      unfiltered.items.map((job) => job.id),
    );
  });
});

describe('GET /jobs/count', () => {
  it('answers a status-only or unfiltered count from the counters, reading no index', async () => {
    const user = 'counted';
    const jobs = [
      aJob({ userId: user }),
      aJob({ userId: user }),
      aJob({ userId: user, status: 'scheduled', runAt: minutes(60) }),
    ];
    for (const job of jobs) await store.create(job);
    // The counters follow the jobs stream: wait until they have seen the three, then count the reads.
    const counting = await startStatsCounting(tableName);
    try {
      await expect
        .poll(() => store.countByUser(user, {}), { timeout: 60_000, interval: 200 })
        .toEqual({ count: 3, approximate: false });
    } finally {
      await counting.stop();
    }
    calls.length = 0;
    expect(await store.countByUser(user, {})).toEqual({ count: 3, approximate: false });
    expect(await store.countByUser(user, { status: 'queued' })).toEqual({ count: 2, approximate: false });
    expect(calls.every((call) => call.index === undefined)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('counts a type filter up to MAX_COUNTED examined items, flagging the count approximate beyond', async () => {
    const user = 'typed';
    for (const type of ['a', 'b', 'a']) await store.create(aJob({ userId: user, type }));
    await store.create(aJob({ userId: user, type: 'a', status: 'scheduled', runAt: minutes(60) }));
    expect(await store.countByUser(user, { type: 'a' })).toEqual({ count: 3, approximate: false });
    expect(await store.countByUser(user, { type: 'a', status: 'queued' })).toEqual({
      count: 2,
      approximate: false,
    });
    // The bulk user has more jobs than MAX_COUNTED: the count (oldest first, the rare jobs among the first
    // examined) is a lower bound, flagged.
    calls.length = 0;
    expect(await store.countByUser('bulk', { type: 'rare' })).toEqual({ count: 3, approximate: true });
    expect(scanned()).toBeLessThanOrEqual(MAX_COUNTED);
    calls.length = 0;
    const capped = await store.countByUser('bulk', { type: 'common' });
    // The first MAX_COUNTED examined are the 3 rare jobs and the oldest common ones.
    expect(capped).toEqual({ count: MAX_COUNTED - rare.length, approximate: true });
    expect(scanned()).toBeLessThanOrEqual(MAX_COUNTED);
    calls.length = 0;
    const none = await store.countByUser('bulk', { status: 'queued', type: 'nomatch' });
    expect(none).toEqual({ count: 0, approximate: true });
    expect(scanned()).toBeLessThanOrEqual(MAX_COUNTED);
  });
});

describe('past-deadline count', () => {
  it("reads only the caller's own items", async () => {
    const mine = aJob({ userId: 'idle', deadline: minutes(-5) });
    await store.create(mine);
    calls.length = 0;
    expect(await store.countPastDeadline({ userId: 'idle' }, NOW)).toEqual({ count: 1, approximate: false });
    expect(scanned()).toBe(1);
    expect(calls.map((call) => call.index)).toEqual(['byUserDeadline']);
  });

  it('caps what a count examines: the bulk user and the global count stop at MAX_COUNTED', async () => {
    expect(await store.countPastDeadline({ userId: 'bulk' }, NOW)).toEqual({
      count: MAX_COUNTED,
      approximate: true,
    });
    const all = await store.countPastDeadline({ all: true }, NOW);
    expect(all.approximate).toBe(true);
    expect(all.count).toBeLessThanOrEqual(MAX_COUNTED);
    expect(scanned()).toBeLessThanOrEqual(2 * MAX_COUNTED);
  });
});

describe('maintenance deadline sweep', () => {
  it('promotes a job near its deadline without re-reading jobs long past theirs', async () => {
    const { client: own, calls: ownCalls } = countingClient();
    const table = (await provisionTables(own, uniquePrefix('overdue'))).Jobs as string;
    const sweepStore = new DynamoJobStore({ client: own, tableName: table, retentionDays: 30 });
    // Jobs that never finish (waiting on a dependency), their deadline two days ago.
    const stuck = Array.from({ length: 500 }, () =>
      aJob({ userId: 'stuck', status: 'pending', queuedAt: null, deadline: minutes(-2 * 24 * 60) }),
    );
    await putAll(own, table, stuck);
    const urgent = aJob({ userId: 'u', priority: 5, queuedAt: NOW.toISOString(), deadline: minutes(5) });
    await sweepStore.create(urgent);
    ownCalls.length = 0;
    const sent: Job[] = [];
    const report = await recover({
      store: sweepStore,
      clock: new TestClock(NOW.toISOString()),
      logger: silentLogger,
      dispatcher: { dispatch: async (job) => void sent.push(job) },
      staleAfterMs: 120_000,
      lostAfterMs: 900_000,
      deadlineUrgencyMs: 600_000,
    });
    expect(report.promoted).toBe(1);
    expect(sent.map((job) => [job.id, job.tier])).toEqual([[urgent.id, 'high']]);
    const deadlineReads = ownCalls.filter((call) => call.index === 'byDeadline');
    expect(deadlineReads.reduce((sum, call) => sum + call.scanned, 0)).toBe(1);
  }, 60_000);
});

describe('local provisioning', () => {
  it('adds an index missing from a table kept from an earlier run', async () => {
    const prefix = uniquePrefix('kept');
    // The jobs table as an earlier version created it: without the byUserDeadline index.
    const jobs = tables.find((definition) => definition.id === 'Jobs');
    if (!jobs) throw new Error('no Jobs table definition');
    const earlier = {
      ...jobs,
      globalSecondaryIndexes: jobs.globalSecondaryIndexes.filter(
        (index) => index.indexName !== 'byUserDeadline',
      ),
    };
    const name = localTableName(prefix, jobs);
    await client.send(new CreateTableCommand(createTableInput(earlier, name)));
    const indexes = async () =>
      (
        (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes ?? []
      ).map((index) => index.IndexName);
    expect(await indexes()).not.toContain('byUserDeadline');
    await provisionTables(client, prefix);
    expect(await indexes()).toContain('byUserDeadline');
  }, 60_000);
});
