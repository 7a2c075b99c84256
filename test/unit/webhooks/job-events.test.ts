/** From stream changes to queued deliveries: which changes count, who is looked up, and retried batches. */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../functions/core/clock.ts';
import type { Job } from '../../../functions/core/job.ts';
import type { Webhook } from '../../../functions/core/webhooks/model.ts';
import type { StreamChange } from '../../../functions/usecases/aggregate-stats.ts';
import { queueJobEvents } from '../../../functions/usecases/webhooks/job-events.ts';
import { aJob } from '../../support/job-factory.ts';
import { MemoryDeliveryQueue, MemoryWebhookStore } from '../../support/memory-webhooks.ts';

let sequence = 0;
const change = (before: Job | undefined, after: Job | undefined): StreamChange => {
  sequence += 1;
  return { eventId: `e${sequence}`, sequenceNumber: String(sequence), before, after };
};
const hook = (overrides: Partial<Webhook>): Webhook => ({
  id: 'wh-1',
  userId: 'user-1',
  url: 'https://hooks.example.com/',
  events: ['job.completed', 'job.failed', 'job.dead', 'job.cancelled'],
  description: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  sealedSecret: 'sealed',
  ...overrides,
});
const ended = (job: Job, status: Job['status'], seq = job.seq + 1): [Job, Job] => [
  job,
  { ...job, status, seq, completedAt: '2026-01-01T00:01:00.000Z' },
];

function setup() {
  const store = new MemoryWebhookStore();
  const queue = new MemoryDeliveryQueue();
  return { store, queue, deps: { store, queue, clock: new TestClock() } };
}

describe('webhook deliveries from the jobs stream', () => {
  it('queues one delivery per matching webhook for each change that ends a job', async () => {
    const { store, queue, deps } = setup();
    await store.create(hook({ id: 'all' }));
    await store.create(hook({ id: 'failures', events: ['job.failed', 'job.dead'] }));
    await store.create(hook({ id: 'elsewhere', userId: 'user-2' }));
    const running = aJob({ status: 'running' });
    const result = await queueJobEvents(deps, [change(...ended(running, 'completed'))]);
    expect(result).toEqual({ failedAt: null, queued: 1 });
    expect(queue.sent).toHaveLength(1);
    const [message] = queue.sent;
    expect(message).toMatchObject({ webhookId: 'all', event: 'job.completed', jobId: running.id });
    expect(JSON.parse(message?.body ?? '')).toMatchObject({
      type: 'job.completed',
      timestamp: '2026-01-01T00:01:00.000Z',
      data: { job: { id: running.id, status: 'completed' } },
    });
    expect(JSON.parse(message?.body ?? '').data.job.userId).toBeUndefined();
    expect([...store.deliveries.values()]).toEqual([
      expect.objectContaining({ id: message?.id, status: 'pending', attempt: 0 }),
    ]);
  });

  it('ignores changes that do not end a job and looks nothing up for them', async () => {
    const { store, queue, deps } = setup();
    await store.create(hook({}));
    const queued = aJob({ status: 'queued' });
    const done = { ...queued, status: 'completed' as const, seq: 9 };
    await queueJobEvents(deps, [
      change(undefined, queued),
      change(queued, { ...queued, status: 'running', seq: 2 }),
      change(done, { ...done, seq: 10 }), // a terminal job changing again (e.g. its TTL written)
      change(done, undefined), // deleted
    ]);
    expect(queue.sent).toEqual([]);
    expect(store.lookups.size).toBe(0);
  });

  it("reads a user's webhooks once per batch, however many of their jobs end in it", async () => {
    const { store, queue, deps } = setup();
    await store.create(hook({}));
    const changes = [1, 2, 3].map(() => change(...ended(aJob({ status: 'running' }), 'failed')));
    changes.push(change(...ended(aJob({ status: 'running', userId: 'no-hooks' }), 'dead')));
    await queueJobEvents(deps, changes);
    expect(queue.sent.map((message) => message.event)).toEqual(['job.failed', 'job.failed', 'job.failed']);
    expect(Object.fromEntries(store.lookups)).toEqual({ 'user-1': 1, 'no-hooks': 1 });
  });

  it('reports the first change whose deliveries were not queued; its retry keeps the same delivery id', async () => {
    const { store, queue, deps } = setup();
    await store.create(hook({}));
    const changes = [
      change(...ended(aJob({ status: 'running' }), 'completed')),
      change(...ended(aJob({ status: 'cancelling' }), 'cancelled')),
    ];
    await queueJobEvents(deps, changes.slice(0, 1));
    queue.failNext = true;
    const failed = await queueJobEvents(deps, changes.slice(1));
    expect(failed.failedAt).toBe(0);
    const retried = await queueJobEvents(deps, changes.slice(1));
    expect(retried.failedAt).toBeNull();
    // The retried record logs one delivery, not two; its message carries the same id.
    expect(store.deliveries.size).toBe(2);
    expect(new Set(queue.sent.map((message) => message.id)).size).toBe(2);
    // A stream record delivered twice keeps its id: the receiver deduplicates on webhook-id.
    await queueJobEvents(deps, changes.slice(0, 1));
    expect(queue.sent.at(-1)?.id).toBe(queue.sent[0]?.id);
    expect(store.deliveries.size).toBe(2);
  });
});
