/**
 * Index writes of a job's life (issue 14): each index holds only what something reads, so an echo job's
 * claim, heartbeats and progress write no index, and its whole life writes four index entries (byUser and
 * byActive at create; the byActive delete and the byStatus put when it ends). DynamoDB Local reports the
 * write units of every index it touched (ReturnConsumedCapacity INDEXES), which a middleware records.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { itemBytes } from '../../bench/lib/dynamo-pricing.ts';
import { toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { claim, complete, heartbeat, scheduleRetry } from '../../functions/core/transitions.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';

/** A client that asks for per-index capacity on every write and records the indexes each one touched. */
function recordingClient(): { client: DynamoDBClient; touched: string[][] } {
  const client = dynamoClient();
  const touched: string[][] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown };
      const write = ['Item', 'UpdateExpression', 'TransactItems'].some((name) => name in input);
      if (write) input.ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      if (write) {
        const output = result.output as { ConsumedCapacity?: unknown };
        const capacities = [output.ConsumedCapacity ?? []].flat() as Array<{
          TableName?: string;
          GlobalSecondaryIndexes?: Record<string, unknown>;
        }>;
        touched.push(
          capacities
            .filter((c) => c.TableName === tableName)
            .flatMap((c) => Object.keys(c.GlobalSecondaryIndexes ?? {}))
            .sort(),
        );
      }
      return result;
    },
    { step: 'initialize', name: 'recordIndexWrites' },
  );
  return { client, touched };
}

const { client, touched } = recordingClient();
let store: DynamoJobStore;
let tableName: string;

beforeAll(async () => {
  tableName = (await provisionTables(client, uniquePrefix('index-writes'))).Jobs as string;
  store = new DynamoJobStore({ client, tableName, retentionDays: 30 });
});

beforeEach(() => {
  touched.length = 0;
});

describe('index writes over a job life', () => {
  it('writes byUser and byActive at create, nothing on claim and heartbeat, byActive and byStatus at the end', async () => {
    const job = aJob({ userId: 'echo' });
    await store.create(job);
    expect(touched).toEqual([['byActive', 'byUser']]);
    touched.length = 0;
    const running = await store.apply(job, claim(job, new Date()));
    if (!running) throw new Error('claim failed');
    const beating = await store.apply(
      running,
      heartbeat(running, new Date(), { percent: 50, stage: 'half', message: null }),
    );
    if (!beating) throw new Error('heartbeat failed');
    expect(touched.flat()).toEqual([]);
    const done = await store.apply(beating, complete(beating, { ok: true }, new Date()));
    expect(done?.status).toBe('completed');
    expect(touched.flat().sort()).toEqual(['byActive', 'byStatus']);
    expect(await store.listByStatus('completed', { limit: 10 })).toMatchObject({ items: [{ id: job.id }] });
    expect((await store.listByStatus('running', { limit: 10 })).items).toEqual([]);
  });

  it('keeps a job in byActive while it waits for a retry: no index write, still listed as retrying', async () => {
    const job = aJob({ userId: 'retry' });
    await store.create(job);
    const running = await store.apply(job, claim(job, new Date()));
    if (!running) throw new Error('claim failed');
    touched.length = 0;
    const error = { code: 'transient', message: 'try again', retryable: true };
    const retrying = await store.apply(running, scheduleRetry(running, error, new Date(), 30));
    expect(retrying?.status).toBe('retrying');
    expect(touched.flat()).toEqual([]);
    const listed = await store.listByStatus('retrying', {
      until: new Date(Date.now() + 60_000).toISOString(),
      limit: 10,
    });
    expect(listed.items.map((item) => item.id)).toEqual([job.id]);
    if (!retrying) throw new Error('retry failed');
    touched.length = 0;
    expect((await store.apply(retrying, claim(retrying, new Date())))?.status).toBe('running');
    expect(touched.flat()).toEqual([]);
  });

  it('lists active jobs by status through byActive, keeping only those in the status by `until`', async () => {
    const old = aJob({ userId: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
    const young = aJob({
      userId: 'active',
      createdAt: new Date().toISOString(),
      queuedAt: new Date().toISOString(),
    });
    await store.create(old);
    await store.create(young);
    const running = await store.apply(old, claim(old, new Date('2026-01-01T00:01:00.000Z')));
    expect(running?.status).toBe('running');
    const until = '2026-01-02T00:00:00.000Z';
    const ids = async (status: 'queued' | 'running') => {
      const page = await store.listByStatus(status, { until, limit: 100 });
      return page.items.filter((job) => job.userId === 'active').map((job) => job.id);
    };
    expect(await ids('running')).toEqual([old.id]);
    expect(await ids('queued')).toEqual([]);
  });

  it('keeps a demo/echo item under 1 KB at every write', async () => {
    const job = aJob({ userId: 'a-typical-user-id-0123456789', params: { message: 'hello' } });
    const running = { ...job, status: 'running' as const, attempt: 1, startedAt: new Date().toISOString() };
    const done = {
      ...running,
      status: 'completed' as const,
      result: { message: 'hello' },
      completedAt: new Date().toISOString(),
      queueTimeMs: 12,
      executionTimeMs: 3,
      progress: { percent: 100, stage: null, message: null },
    };
    for (const state of [job, running, done]) {
      const size = itemBytes(toItem(state, { retentionDays: 30 }));
      expect(size).toBeLessThan(1024);
    }
  });
});
