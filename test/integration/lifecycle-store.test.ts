/**
 * Lifecycle pieces against the real emulators: exact statistics counters, idempotency records, dependency
 * edges written only while the parent is unfinished, and dead-lettering through SQS's own redrive.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { SqsQueueInspector } from '../../functions/adapters/sqs/queue-inspector.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { requestCancel } from '../../functions/core/control-transitions.ts';
import { TransientJobError } from '../../functions/core/errors.ts';
import { JOB_STATUSES, type Job } from '../../functions/core/job.ts';
import { DependencyChangedError } from '../../functions/core/ports.ts';
import { claim, complete, decideFailure } from '../../functions/core/transitions.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { buryDeadLetter } from '../../functions/usecases/dead-letter.ts';
import { cleanup } from '../../functions/usecases/maintenance.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { expectStatsToReach, startStatsCounting } from '../support/stats-stream.ts';

const sqs = sqsClient();
let store: DynamoJobStore;
let queues: LocalQueues;
let counting: { stop(): Promise<void> } | undefined;

afterAll(async () => {
  await counting?.stop();
});

beforeAll(async () => {
  const prefix = uniquePrefix('lifecycle');
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix, { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 30 });
  counting = await startStatsCounting(tables.Jobs as string);
});

describe('statistics counters', () => {
  it('match a full recount once the stream is counted, after a mixed workload, per user and overall', async () => {
    const reference = new MemoryJobStore();
    const jobs: Job[] = [];
    const clock = new TestClock('2026-10-01T00:00:00.000Z');
    for (let i = 0; i < 60; i++) {
      const job = aJob({
        userId: `stats-${i % 3}`,
        priority: (i % 10) + 1,
        queuedAt: clock.now().toISOString(),
      });
      jobs.push(job);
      await store.create(job);
      await reference.create(job);
    }
    const apply = async (job: Job, make: (job: Job) => ReturnType<typeof claim>) => {
      const current = await store.get(job.id);
      if (!current) return;
      const next = await store.apply(current, make(current));
      if (next) reference.jobs.set(job.id, next);
    };
    clock.tick(1500);
    await Promise.all(
      jobs.map(async (job, i) => {
        await apply(job, (j) => claim(j, clock.now()));
        if (i % 4 === 0) await apply(job, (j) => complete(j, i, new Date(clock.now().getTime() + 250 * i)));
        if (i % 4 === 1)
          await apply(job, (j) => decideFailure(j, new TransientJobError('x'), clock.now()).transition);
        if (i % 4 === 2) await apply(job, (j) => requestCancel(j));
      }),
    );
    // Delete a few finished ones, as the retention cleanup would.
    const expired = jobs.filter((_, i) => i % 8 === 0);
    for (const job of expired) {
      const current = await store.get(job.id);
      if (current && (await store.delete(current))) reference.jobs.delete(job.id);
    }
    for (const scope of [{ all: true as const }, { userId: 'stats-0' }, { userId: 'stats-2' }]) {
      // This test runs first in its file, so the table holds exactly the jobs it made.
      await expectStatsToReach((s) => store.readStats(s), scope, await reference.readStats(scope));
    }
    const users = await Promise.all([0, 1, 2].map((u) => store.readStats({ userId: `stats-${u}` })));
    const total = users.reduce(
      (sum, s) => sum + JOB_STATUSES.reduce((n, status) => n + s.byStatus[status], 0),
      0,
    );
    expect(total).toBe(60 - expired.length);
  });
});

describe('deadline index', () => {
  it('counts active jobs past their deadline and lists those near it, through the sparse index', async () => {
    const now = new Date('2026-10-10T12:00:00.000Z');
    const past = aJob({ userId: 'dl-a', deadline: '2026-10-10T11:00:00.000Z' });
    const soon = aJob({ userId: 'dl-a', deadline: '2026-10-10T12:05:00.000Z' });
    const otherUser = aJob({ userId: 'dl-b', deadline: '2026-10-10T10:00:00.000Z' });
    const finished = aJob({ userId: 'dl-a', deadline: '2026-10-10T09:00:00.000Z' });
    for (const job of [past, soon, otherUser, finished]) await store.create(job);
    const running = await store.apply(finished, claim(finished, now));
    if (!running) throw new Error('claim failed');
    await store.apply(running, complete(running, null, now));
    expect(await store.countPastDeadline({ userId: 'dl-a' }, now)).toEqual({ count: 1, approximate: false });
    expect((await store.countPastDeadline({ all: true }, now)).count).toBeGreaterThanOrEqual(2);
    const near = await store.listByDeadline({ until: '2026-10-10T12:10:00.000Z', limit: 50 });
    const ids = near.items.map((job) => job.id);
    expect(ids).toEqual(expect.arrayContaining([past.id, soon.id, otherUser.id]));
    expect(ids).not.toContain(finished.id);
  });
});

describe('idempotency records', () => {
  it('create the job once and hand back the original for a repeated key', async () => {
    const first = aJob({ userId: 'idem' });
    const second = aJob({ userId: 'idem' });
    expect(await store.create(first, { idempotency: { key: 'k', fingerprint: 'f1' } })).toEqual({
      created: true,
    });
    expect(await store.create(second, { idempotency: { key: 'k', fingerprint: 'f2' } })).toEqual({
      created: false,
      jobId: first.id,
      fingerprint: 'f1',
    });
    expect(await store.get(second.id)).toBeNull();
  });
});

describe('dependency edges', () => {
  it('are written with the child while the parent is unfinished, and refused once it finished', async () => {
    const parent = aJob({ userId: 'deps', status: 'running' });
    await store.create(parent);
    const child = aJob({ userId: 'deps', status: 'pending', dependsOn: [parent.id] });
    await store.create(child, { waitsFor: [parent] });
    expect(await store.listDependants(parent.id)).toEqual([child.id]);

    const running = await store.get(parent.id);
    if (!running) throw new Error('parent missing');
    await store.apply(running, complete(running, null, new Date()));
    const late = aJob({ userId: 'deps', status: 'pending', dependsOn: [parent.id] });
    await expect(store.create(late, { waitsFor: [running] })).rejects.toBeInstanceOf(DependencyChangedError);
    expect(await store.get(late.id)).toBeNull();
    expect(await store.listDependants(parent.id)).toEqual([child.id]);
  });

  it('are removed with their parent by the retention cleanup', async () => {
    const parent = aJob({ userId: 'deps-clean', status: 'running' });
    await store.create(parent);
    await store.create(aJob({ userId: 'deps-clean', status: 'pending' }), { waitsFor: [parent] });
    const running = await store.get(parent.id);
    if (!running) throw new Error('parent missing');
    await store.apply(running, complete(running, null, new Date('2026-01-01T00:00:00Z')));
    const clock = new TestClock('2026-03-01T00:00:00Z');
    expect(await cleanup({ store, clock }, 30)).toBeGreaterThanOrEqual(1);
    expect(await store.get(parent.id)).toBeNull();
    expect(await store.listDependants(parent.id)).toEqual([]);
  });
});

describe('dead letters', () => {
  it('SQS moves a message nobody finishes to the DLQ; the consumer marks its job dead', async () => {
    const job = aJob({ userId: 'dlq', status: 'running', attempt: 1 });
    await store.create(job);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.urls.low,
        MessageBody: JSON.stringify({ jobId: job.id, epoch: 1 }),
      }),
    );
    // A worker that keeps crashing: receive, never delete, let the visibility lapse (maxReceiveCount 2).
    const inspector = new SqsQueueInspector(sqs, queues.urls, queues.deadLetterUrls);
    const deadline = Date.now() + 30_000;
    let dlqMessage: { Body?: string; Attributes?: Record<string, string> } | undefined;
    while (!dlqMessage && Date.now() < deadline) {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.urls.low, WaitTimeSeconds: 1 }));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.deadLetterUrls.low,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      dlqMessage = Messages?.[0];
    }
    expect(dlqMessage?.Body).toBe(JSON.stringify({ jobId: job.id, epoch: 1 }));
    expect((await inspector.depths()).low.deadLettered).toBeGreaterThanOrEqual(1);
    const outcome = await buryDeadLetter({ store, clock: new TestClock() }, { jobId: job.id, epoch: 1 }, 2);
    expect(outcome).toBe('buried');
    expect(await store.get(job.id)).toMatchObject({
      status: 'dead',
      error: { code: 'dead_lettered', retryable: false },
    });
    // A dead letter from an older epoch says nothing about the job as it is now.
    expect(await buryDeadLetter({ store, clock: new TestClock() }, { jobId: job.id, epoch: 0 }, 2)).toBe(
      'ignored',
    );
  });
});
