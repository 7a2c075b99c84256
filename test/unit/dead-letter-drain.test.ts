import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { Tier } from '../../functions/core/tiers.ts';
import {
  type DeadLetterMessage,
  type DeadLetterQueues,
  drainDeadLetters,
} from '../../functions/usecases/dead-letter-drain.ts';
import type { MaintenanceDeps } from '../../functions/usecases/maintenance.ts';
import { scheduledSweep } from '../../functions/usecases/scheduled-sweep.ts';
import type { DeliverySourceDeps } from '../../functions/usecases/webhooks/delivery-source.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';
import { MemoryWebhookStore, memoryDeliverySource } from '../support/memory-webhooks.ts';

/** Dead-letter queues in memory: a receive hides what it returns until `expire()`; delete removes. */
class MemoryDeadLetters implements DeadLetterQueues {
  readonly visible = new Map<Tier, DeadLetterMessage[]>();
  readonly hidden: Array<{ tier: Tier; message: DeadLetterMessage }> = [];
  receives = 0;
  #next = 0;

  add(tier: Tier, body: string, receiveCount = 12): void {
    const id = `m${++this.#next}`;
    let job: DeadLetterMessage['job'];
    try {
      job = JSON.parse(body);
    } catch {
      job = undefined;
    }
    const message = { id, job, body, receiveCount, receipt: `r-${id}` };
    this.visible.set(tier, [...(this.visible.get(tier) ?? []), message]);
  }

  async receive(tier: Tier): Promise<DeadLetterMessage[]> {
    this.receives += 1;
    const batch = (this.visible.get(tier) ?? []).slice(0, 10);
    this.visible.set(tier, (this.visible.get(tier) ?? []).slice(batch.length));
    this.hidden.push(...batch.map((message) => ({ tier, message })));
    return batch;
  }

  async delete(_tier: Tier, messages: DeadLetterMessage[]): Promise<string[]> {
    for (const message of messages) {
      const index = this.hidden.findIndex((entry) => entry.message.id === message.id);
      if (index >= 0) this.hidden.splice(index, 1);
    }
    return [];
  }

  /** The visibility timeout passes: what was received and not deleted is visible again. */
  expire(): void {
    for (const { tier, message } of this.hidden.splice(0))
      this.visible.set(tier, [...(this.visible.get(tier) ?? []), message]);
  }

  get remaining(): number {
    return [...this.visible.values()].reduce((sum, list) => sum + list.length, 0) + this.hidden.length;
  }
}

function setup() {
  const store = new MemoryJobStore();
  const clock = new TestClock('2026-07-01T00:00:00.000Z');
  const deadLetters = new MemoryDeadLetters();
  return { store, clock, deadLetters, deps: { store, clock, logger: silentLogger, deadLetters } };
}

const messageOf = (job: { id: string; epoch: number }) => JSON.stringify({ jobId: job.id, epoch: job.epoch });

describe('drainDeadLetters', () => {
  it('marks the job of each dead-lettered message dead and deletes the messages, every tier', async () => {
    const { store, deadLetters, deps } = setup();
    const running = aJob({ status: 'running', attempt: 1, epoch: 1, tier: 'low' });
    const queued = aJob({ status: 'queued', epoch: 2, tier: 'critical' });
    await store.create(running);
    await store.create(queued);
    deadLetters.add('low', messageOf(running), 12);
    deadLetters.add('critical', messageOf(queued), 13);

    expect(await drainDeadLetters(deps)).toBe(2);
    expect(await store.get(running.id)).toMatchObject({
      status: 'dead',
      error: { code: 'dead_lettered', retryable: false },
    });
    expect((await store.get(running.id))?.error?.message).toContain('received 12 times');
    expect((await store.get(queued.id))?.status).toBe('dead');
    expect(deadLetters.remaining).toBe(0);
  });

  it('deletes stale and foreign messages without touching any job', async () => {
    const { store, deadLetters, deps } = setup();
    const requeued = aJob({ status: 'queued', epoch: 3, tier: 'normal' });
    await store.create(requeued);
    deadLetters.add('normal', messageOf({ id: requeued.id, epoch: 2 }));
    deadLetters.add('normal', messageOf({ id: 'no-such-job', epoch: 1 }));
    deadLetters.add('normal', 'not a job message');

    expect(await drainDeadLetters(deps)).toBe(3);
    expect(await store.get(requeued.id)).toEqual(requeued);
    expect(deadLetters.remaining).toBe(0);
  });

  it('reads on while messages keep coming, ten per receive, then one empty receive per tier', async () => {
    const { store, deadLetters, deps } = setup();
    for (let i = 0; i < 25; i++) {
      const job = aJob({ status: 'queued', epoch: 1, tier: 'high' });
      await store.create(job);
      deadLetters.add('high', messageOf(job));
    }
    expect(await drainDeadLetters(deps)).toBe(25);
    expect(deadLetters.remaining).toBe(0);
    // high: three batches and the empty receive that ends it; the three other tiers: one empty receive each.
    expect(deadLetters.receives).toBe(4 + 3);
  });

  it('keeps a message whose job could not be written, and buries it on a later run', async () => {
    const { store, deadLetters, deps } = setup();
    const job = aJob({ status: 'running', attempt: 1, epoch: 1, tier: 'normal' });
    await store.create(job);
    deadLetters.add('normal', messageOf(job));
    const failing = {
      ...deps,
      store: Object.assign(Object.create(store), {
        apply: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
      }),
    };

    expect(await drainDeadLetters(failing)).toBe(0);
    expect((await store.get(job.id))?.status).toBe('running');
    expect(deadLetters.remaining).toBe(1);

    deadLetters.expire();
    expect(await drainDeadLetters(deps)).toBe(1);
    expect((await store.get(job.id))?.status).toBe('dead');
    expect(deadLetters.remaining).toBe(0);
  });

  it('starts no receive once the run is out of time (the next run reads the rest)', async () => {
    const { store, deadLetters, deps } = setup();
    const job = aJob({ status: 'queued', epoch: 1, tier: 'critical' });
    await store.create(job);
    deadLetters.add('critical', messageOf(job));
    expect(await drainDeadLetters({ ...deps, outOfTime: () => true })).toBe(0);
    expect(deadLetters.receives).toBe(0);
    expect(deadLetters.remaining).toBe(1);
  });
});

describe('the scheduled sweep with dead-letter queues', () => {
  it('buries a dead-lettered job before the stale sweep could requeue it, and reports it', async () => {
    const { store, clock, deadLetters } = setup();
    const stale = aJob({
      status: 'running',
      attempt: 1,
      epoch: 1,
      tier: 'low',
      startedAt: '2026-06-30T23:50:00.000Z',
      heartbeatAt: '2026-06-30T23:50:00.000Z',
    });
    await store.create(stale);
    deadLetters.add('low', messageOf(stale));
    const sent: string[] = [];
    const deps: MaintenanceDeps & {
      deadLetters: MemoryDeadLetters;
      webhookDeliveries: DeliverySourceDeps;
    } = {
      store,
      clock,
      logger: silentLogger,
      dispatcher: { dispatch: async (job) => void sent.push(job.id) },
      staleAfterMs: 120_000,
      lostAfterMs: 900_000,
      deadlineUrgencyMs: 600_000,
      deadLetters,
      webhookDeliveries: memoryDeliverySource(new MemoryWebhookStore()),
    };

    expect(await scheduledSweep(deps)).toEqual({
      recovered: 0,
      dispatched: 0,
      promoted: 0,
      scheduled: 0,
      deadLettered: 1,
      webhookDeliveries: 'none',
    });
    expect((await store.get(stale.id))?.status).toBe('dead');
    expect(sent).toEqual([]);
  });
});
