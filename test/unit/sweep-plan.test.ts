import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { JobStatus } from '../../functions/core/job.ts';
import type { StatsCounters } from '../../functions/core/ports.ts';
import type { DeadLetterQueues } from '../../functions/usecases/dead-letter-drain.ts';
import { type MaintenanceDeps, recover } from '../../functions/usecases/maintenance.ts';
import { scheduledSweep } from '../../functions/usecases/scheduled-sweep.ts';
import { FULL_SWEEP, FULL_SWEEP_EVERY_MINUTES, planSweep } from '../../functions/usecases/sweep-plan.ts';
import type { DeliverySourceDeps } from '../../functions/usecases/webhooks/delivery-source.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';
import { MemoryWebhookStore, memoryDeliverySource } from '../support/memory-webhooks.ts';

/** A memory store that counts the sweep's index reads (and can be given wrong counters). */
class CountingStore extends MemoryJobStore {
  readonly reads: string[] = [];
  wrongCounters = false;

  override async listByStatus(status: JobStatus, query: Parameters<MemoryJobStore['listByStatus']>[1]) {
    this.reads.push(status);
    return super.listByStatus(status, query);
  }

  override async listByDeadline(query: Parameters<MemoryJobStore['listByDeadline']>[0]) {
    this.reads.push('deadline');
    return super.listByDeadline(query);
  }

  override async readStats(scope: Parameters<MemoryJobStore['readStats']>[0]): Promise<StatsCounters> {
    this.reads.push('stats');
    const stats = await super.readStats(scope);
    if (!this.wrongCounters) return stats;
    const byStatus = Object.fromEntries(Object.keys(stats.byStatus).map((status) => [status, 0]));
    return { ...stats, byStatus: byStatus as StatsCounters['byStatus'] };
  }
}

// Minute 1 of a ten-minute cycle: not a full sweep; minute 10: a full one.
const NOT_FULL = '2026-07-01T00:01:30.000Z';
const FULL = '2026-07-01T00:10:30.000Z';

function setup(at: string) {
  const store = new CountingStore();
  const clock = new TestClock(at);
  const sent: string[] = [];
  const deps: MaintenanceDeps & { deadLetters: DeadLetterQueues; webhookDeliveries: DeliverySourceDeps } = {
    store,
    clock,
    logger: silentLogger,
    dispatcher: { dispatch: async (job) => void sent.push(job.id) },
    staleAfterMs: 120_000,
    lostAfterMs: 900_000,
    deadlineUrgencyMs: 600_000,
    deadLetters: { receive: async () => [], delete: async () => [] },
    webhookDeliveries: memoryDeliverySource(new MemoryWebhookStore()),
  };
  return { store, clock, sent, deps };
}

const staleJob = () =>
  aJob({
    status: 'running',
    attempt: 1,
    startedAt: '2026-06-30T23:00:00.000Z',
    heartbeatAt: '2026-06-30T23:00:00.000Z',
  });

describe('the every-minute sweep skips what the counters show empty', () => {
  it('reads one statistics item and no index when no job is unfinished', async () => {
    const { store, deps } = setup(NOT_FULL);
    await store.create(aJob({ status: 'completed' }));
    expect(await scheduledSweep(deps)).toMatchObject({ recovered: 0, dispatched: 0, promoted: 0 });
    expect(store.reads).toEqual(['stats']);
  });

  it('reads only the parts whose statuses have jobs', async () => {
    const { store, deps } = setup(NOT_FULL);
    const stale = staleJob();
    await store.create(stale);
    expect((await scheduledSweep(deps)).recovered).toBe(1);
    expect(store.reads).toEqual(['stats', 'running', 'cancelling']);
    expect((await store.get(stale.id))?.status).toBe('queued');
  });

  it('plans each part from its statuses', async () => {
    const { store, clock } = setup(NOT_FULL);
    await store.create(aJob({ status: 'queued' }));
    await store.create(aJob({ status: 'pending' }));
    expect(await planSweep({ store, clock })).toEqual({
      stale: false,
      scheduled: false,
      lost: true,
      urgent: true,
      pending: true,
    });
  });

  it(`reads everything every ${FULL_SWEEP_EVERY_MINUTES} minutes, so wrong counters delay recovery at most that long`, async () => {
    const early = setup(NOT_FULL);
    early.store.wrongCounters = true;
    const stale = staleJob();
    await early.store.create(stale);
    expect((await scheduledSweep(early.deps)).recovered).toBe(0);

    early.clock.set(FULL);
    expect(await planSweep({ store: early.store, clock: early.clock })).toEqual(FULL_SWEEP);
    expect((await scheduledSweep(early.deps)).recovered).toBe(1);
    expect((await early.store.get(stale.id))?.status).toBe('queued');
  });

  it('reads everything when asked to (POST /admin/recover, the local start)', async () => {
    const { store, deps } = setup(NOT_FULL);
    await recover(deps);
    expect(store.reads).not.toContain('stats');
    expect(store.reads).toEqual(
      expect.arrayContaining([
        'running',
        'cancelling',
        'scheduled',
        'queued',
        'retrying',
        'pending',
        'deadline',
      ]),
    );
  });
});
