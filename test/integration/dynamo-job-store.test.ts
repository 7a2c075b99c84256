import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { AppError, TransientJobError } from '../../functions/core/errors.ts';
import { claim, complete, decideFailure } from '../../functions/core/transitions.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { startStatsCounting } from '../support/stats-stream.ts';

const client = dynamoClient();
let store: DynamoJobStore;
let tableName: string;
let counting: { stop(): Promise<void> } | undefined;

afterAll(async () => {
  await counting?.stop();
});

beforeAll(async () => {
  const tables = await provisionTables(client, uniquePrefix('store'));
  tableName = tables.Jobs as string;
  store = new DynamoJobStore({ client, tableName, retentionDays: 30 });
  counting = await startStatsCounting(tableName);
});

const at = (second: number) => new Date(Date.UTC(2026, 1, 1, 0, 0, second)).toISOString();

describe('DynamoJobStore', () => {
  it('round-trips a job, including nested params and a null result', async () => {
    const job = aJob({ userId: 'rt', params: { nested: { list: [1, 'two', null], flag: true } } });
    await store.create(job);
    expect(await store.get(job.id)).toEqual(job);
    expect(await store.get('missing')).toBeNull();
    await expect(store.create(job)).rejects.toThrow();
  });

  it('applies a transition only when its precondition holds, bumping seq', async () => {
    const job = aJob({ userId: 'tx' });
    await store.create(job);
    const running = await store.apply(job, claim(job, new Date()));
    expect(running).toMatchObject({ status: 'running', attempt: 1, seq: 2 });
    // A second claim of the same epoch fails: the job is no longer queued.
    expect(await store.apply(job, claim(job, new Date()))).toBeNull();
    // A stale epoch cannot complete it.
    if (!running) throw new Error('claim failed');
    expect(
      await store.apply({ ...running, epoch: 7 }, complete({ ...running, epoch: 7 }, 1, new Date())),
    ).toBeNull();
    expect(await store.apply(running, complete(running, { answer: 42 }, new Date()))).toMatchObject({
      status: 'completed',
      result: { answer: 42 },
      seq: 3,
    });
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const job = aJob({ userId: 'race' });
    await store.create(job);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.apply(job, claim(job, new Date()))),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect((await store.get(job.id))?.attempt).toBe(1);
  });

  it('refuses a late claim after another run of that attempt failed back to retrying', async () => {
    const job = aJob({ userId: 'late-claim', maxRetries: 3 });
    await store.create(job);
    // Two deliveries read the queued job; one claims it, its worker is lost and the run is recorded as
    // failed, to be retried at the same epoch (what a returning message does: run-job.ts).
    const late = claim(job, new Date());
    const running = await store.apply(job, claim(job, new Date()));
    expect(running).toMatchObject({ status: 'running', attempt: 1 });
    const lost = new TransientJobError('The worker running this job stopped responding', 'worker_lost');
    const decision = running && decideFailure(running, lost, new Date());
    const retrying = running && decision && (await store.apply(running, decision.transition));
    expect(retrying).toMatchObject({ status: 'retrying', attempt: 1, epoch: job.epoch });
    // The slow delivery's claim arrives now: its condition fails and, re-checked against the fresh job, it
    // must not start attempt 1 a second time.
    expect(await store.apply(job, late)).toBeNull();
    expect(await store.get(job.id)).toMatchObject({ status: 'retrying', attempt: 1, seq: retrying?.seq });
  });

  it("lists a user's jobs newest first, page by page, with filters", async () => {
    const user = `list-${Date.now()}`;
    const jobs = Array.from({ length: 7 }, (_, i) =>
      aJob({
        userId: user,
        createdAt: at(i),
        type: i % 2 ? 'odd' : 'even',
        status: i < 3 ? 'completed' : 'queued',
      }),
    );
    for (const job of jobs) await store.create(job);
    await store.create(aJob({ userId: 'someone-else', createdAt: at(10) }));

    const first = await store.listByUser(user, { limit: 4 });
    expect(first.items.map((job) => job.id)).toEqual(
      jobs
        .slice(3)
        .reverse()
        .map((job) => job.id),
    );
    expect(first.nextCursor).not.toBeNull();
    const second = await store.listByUser(user, { limit: 4, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((job) => job.id)).toEqual(
      jobs
        .slice(0, 3)
        .reverse()
        .map((job) => job.id),
    );

    const completed = await store.listByUser(user, { status: 'completed', limit: 10 });
    expect(completed.items.map((job) => job.createdAt)).toEqual([at(2), at(1), at(0)]);
    const odd = await store.listByUser(user, { type: 'odd', limit: 10 });
    expect(odd.items).toHaveLength(3);
    const queuedEven = await store.listByUser(user, { status: 'queued', type: 'even', limit: 1 });
    expect(queuedEven.items.map((job) => job.createdAt)).toEqual([at(6)]);

    // Unfiltered and status-only counts come from the counters the jobs stream moves: poll.
    await expect
      .poll(() => store.countByUser(user, {}), { timeout: 30_000, interval: 200 })
      .toEqual({ count: 7, approximate: false });
    expect(await store.countByUser(user, { status: 'queued' })).toEqual({ count: 4, approximate: false });
    expect(await store.countByUser(user, { status: 'queued', type: 'odd' })).toEqual({
      count: 2,
      approximate: false,
    });
  });

  it("refuses a cursor from another user's listing", async () => {
    const mine = `cursor-a-${Date.now()}`;
    for (let i = 0; i < 3; i++) await store.create(aJob({ userId: mine, createdAt: at(i) }));
    const page = await store.listByUser(mine, { limit: 1 });
    await expect(
      store.listByUser('cursor-b', { limit: 1, cursor: page.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(AppError);
    await expect(store.listByUser(mine, { limit: 1, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'validation_error',
    });
  });

  it('finds jobs by status and status time across shards, without scanning', async () => {
    const user = `status-${Date.now()}`;
    const old = Array.from({ length: 12 }, (_, i) =>
      aJob({ userId: user, status: 'scheduled', runAt: at(i), createdAt: at(i) }),
    );
    const later = aJob({ userId: user, status: 'scheduled', runAt: '2030-01-01T00:00:00.000Z' });
    for (const job of [...old, later]) await store.create(job);
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.listByStatus('scheduled', {
        until: at(59),
        limit: 5,
        ...(cursor && { cursor }),
      });
      for (const job of page.items) if (job.userId === user) ids.add(job.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect([...ids].sort()).toEqual(old.map((job) => job.id).sort());
  });

  it('sets a TTL on terminal jobs only', async () => {
    const job = aJob({ userId: 'ttl' });
    await store.create(job);
    const running = await store.apply(job, claim(job, new Date()));
    if (!running) throw new Error('claim failed');
    const done = await store.apply(running, complete(running, null, new Date('2026-02-01T00:00:00Z')));
    expect(done?.status).toBe('completed');
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `JOB#${job.id}` }, sk: { S: 'JOB' } } }),
    );
    expect(Number(Item?.expiresAt?.N)).toBe(Date.UTC(2026, 1, 1) / 1000 + 30 * 86400);
    const queued = aJob({ userId: 'ttl' });
    await store.create(queued);
    const { Item: live } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `JOB#${queued.id}` }, sk: { S: 'JOB' } } }),
    );
    expect(live?.status?.S).toBe('queued');
    expect(live?.expiresAt).toBeUndefined();
  });
});
