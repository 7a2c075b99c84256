import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import { MAX_RESENDS } from '../../functions/core/lost-messages.ts';
import { claim } from '../../functions/core/transitions.ts';
import { cleanup, type MaintenanceDeps, recover } from '../../functions/usecases/maintenance.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

function setup(start = '2026-07-01T00:00:00.000Z') {
  const store = new MemoryJobStore();
  const clock = new TestClock(start);
  const sent: Array<{ job: Job; delaySeconds: number | undefined }> = [];
  const deps: MaintenanceDeps = {
    store,
    clock,
    logger: silentLogger,
    dispatcher: {
      dispatch: async (job, options) => void sent.push({ job, delaySeconds: options?.delaySeconds }),
    },
    staleAfterMs: 120_000,
    lostAfterMs: 900_000,
    deadlineUrgencyMs: 600_000,
  };
  return { store, clock, sent, deps };
}

const minutesAgo = (clock: TestClock, minutes: number) =>
  new Date(clock.now().getTime() - minutes * 60_000).toISOString();

describe('recover: stale runs', () => {
  it('requeues a running job whose heartbeat is stale, under a new epoch', async () => {
    const { store, clock, sent, deps } = setup();
    const stale = aJob({
      status: 'running',
      attempt: 1,
      startedAt: minutesAgo(clock, 10),
      heartbeatAt: minutesAgo(clock, 5),
    });
    const alive = aJob({
      status: 'running',
      attempt: 1,
      startedAt: minutesAgo(clock, 10),
      heartbeatAt: minutesAgo(clock, 0),
    });
    await store.create(stale);
    await store.create(alive);
    expect((await recover(deps)).recovered).toBe(1);
    expect(await store.get(stale.id)).toMatchObject({
      status: 'queued',
      epoch: 2,
      error: { code: 'worker_lost' },
    });
    expect(sent.map((s) => s.job.id)).toEqual([stale.id]);
    expect((await store.get(alive.id))?.status).toBe('running');
  });

  it('marks a stale job with no retries left dead, and honours a pending cancel', async () => {
    const { store, clock, deps } = setup();
    const exhausted = aJob({
      status: 'running',
      attempt: 4,
      maxRetries: 3,
      startedAt: minutesAgo(clock, 9),
      heartbeatAt: minutesAgo(clock, 9),
    });
    const cancelling = aJob({
      status: 'cancelling',
      attempt: 1,
      startedAt: minutesAgo(clock, 9),
      heartbeatAt: minutesAgo(clock, 9),
    });
    await store.create(exhausted);
    await store.create(cancelling);
    await recover(deps);
    expect(await store.get(exhausted.id)).toMatchObject({ status: 'dead', error: { code: 'worker_lost' } });
    expect((await store.get(cancelling.id))?.status).toBe('cancelled');
  });
});

describe('recover: scheduled jobs', () => {
  it('dispatches a job scheduled for next week within seconds of its time', async () => {
    const { store, clock, sent, deps } = setup();
    const runAt = new Date(clock.now().getTime() + 7 * 86_400_000);
    const job = aJob({ status: 'scheduled', runAt: runAt.toISOString(), queuedAt: null });
    await store.create(job);
    expect((await recover(deps)).dispatched).toBe(0);
    clock.set(new Date(runAt.getTime() - 14 * 60_000 - 1_000));
    expect((await recover(deps)).dispatched).toBe(0);
    // The sweep runs every minute; the first one inside the SQS delay window sends it with the remainder.
    clock.tick(60_000);
    expect((await recover(deps)).dispatched).toBe(1);
    expect(sent).toHaveLength(1);
    const delay = sent[0]?.delaySeconds ?? -1;
    expect(clock.now().getTime() + delay * 1000 - runAt.getTime()).toBeGreaterThanOrEqual(0);
    expect(clock.now().getTime() + delay * 1000 - runAt.getTime()).toBeLessThan(1000);
    expect(await store.get(job.id)).toMatchObject({ status: 'queued', queuedAt: runAt.toISOString() });
  });
});

describe('recover: lost messages and deadlines', () => {
  it('re-sends a queued job whose message may be lost, once per window', async () => {
    const { store, clock, sent, deps } = setup();
    const old = aJob({
      status: 'queued',
      queuedAt: minutesAgo(clock, 30),
      dispatchedAt: minutesAgo(clock, 30),
    });
    const fresh = aJob({
      status: 'queued',
      queuedAt: minutesAgo(clock, 1),
      dispatchedAt: minutesAgo(clock, 1),
    });
    await store.create(old);
    await store.create(fresh);
    expect((await recover(deps)).recovered).toBe(1);
    expect(await store.get(old.id)).toMatchObject({ status: 'queued', epoch: 2 });
    clock.tick(60_000);
    expect((await recover(deps)).recovered).toBe(0);
    expect(sent.map((s) => s.job.id)).toEqual([old.id]);
  });

  it('re-sends an unclaimed job at doubling intervals, then declares it dead; a claim starts the count again', async () => {
    const { store, clock, sent, deps } = setup();
    const crashing = aJob({
      status: 'queued',
      queuedAt: minutesAgo(clock, 0),
      dispatchedAt: minutesAgo(clock, 0),
    });
    const claimedOnce = aJob({
      status: 'queued',
      queuedAt: minutesAgo(clock, 0),
      dispatchedAt: minutesAgo(clock, 0),
      resends: 3,
    });
    await store.create(crashing);
    await store.create(claimedOnce);
    // A claim starts the count again.
    expect((await store.apply(claimedOnce, claim(claimedOnce, clock.now())))?.resends).toBeUndefined();
    // Its handler crashes before the claim, so only the sweep ever changes it.
    const resentAt: number[] = [];
    for (let minute = 1; minute <= 24 * 60 && (await store.get(crashing.id))?.status === 'queued'; minute++) {
      clock.tick(60_000);
      const before = sent.filter((s) => s.job.id === crashing.id).length;
      await recover(deps);
      if (sent.filter((s) => s.job.id === crashing.id).length > before) resentAt.push(minute);
    }
    // 15, 30, 60, 120, 240 minutes apart (MAX_RESENDS), then dead instead of a sixth re-send.
    expect(resentAt).toEqual([15, 45, 105, 225, 465]);
    expect(await store.get(crashing.id)).toMatchObject({
      status: 'dead',
      epoch: 1 + MAX_RESENDS,
      error: { code: 'message_lost', retryable: false },
    });
    expect(clock.now().getTime() - new Date('2026-07-01T00:00:00.000Z').getTime()).toBe(945 * 60_000);
  });

  it('settles pending jobs whose dependencies all ended when the stream record was lost, and only those', async () => {
    const { store, clock, sent, deps } = setup();
    const ended = (status: Job['status']) => aJob({ status, completedAt: minutesAgo(clock, 40) });
    const done = ended('completed');
    const broken = ended('failed');
    const running = aJob({
      status: 'running',
      startedAt: minutesAgo(clock, 1),
      heartbeatAt: minutesAgo(clock, 0),
    });
    for (const parent of [done, broken, running]) await store.create(parent);
    const pending = (dependsOn: string[], minutes = 30) =>
      aJob({ status: 'pending', dependsOn, createdAt: minutesAgo(clock, minutes), queuedAt: null });
    const releasable = pending([done.id]);
    const doomed = pending([done.id, broken.id]);
    const waiting = pending([done.id, running.id]);
    const orphan = pending(['deleted-parent']);
    const young = pending([done.id], 1);
    for (const child of [releasable, doomed, waiting, orphan, young]) await store.create(child);
    expect((await recover(deps)).recovered).toBe(3);
    expect(await store.get(releasable.id)).toMatchObject({ status: 'queued' });
    expect(sent.map((s) => s.job.id)).toEqual([releasable.id]);
    expect(await store.get(doomed.id)).toMatchObject({
      status: 'failed',
      error: { code: 'dependency_failed' },
    });
    expect(await store.get(orphan.id)).toMatchObject({
      status: 'failed',
      error: { code: 'dependency_failed' },
    });
    // Still waiting for an unfinished dependency, or too young to suspect a lost record.
    expect((await store.get(waiting.id))?.status).toBe('pending');
    expect((await store.get(young.id))?.status).toBe('pending');
  });

  it('moves a queued job close to its deadline one tier up', async () => {
    const { store, clock, sent, deps } = setup();
    const urgent = aJob({
      status: 'queued',
      priority: 5,
      tier: 'normal',
      deadline: new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
      dispatchedAt: clock.now().toISOString(),
    });
    const relaxed = aJob({
      status: 'queued',
      priority: 5,
      tier: 'normal',
      deadline: new Date(clock.now().getTime() + 60 * 60_000).toISOString(),
      dispatchedAt: clock.now().toISOString(),
    });
    await store.create(urgent);
    await store.create(relaxed);
    expect((await recover(deps)).promoted).toBe(1);
    expect(await store.get(urgent.id)).toMatchObject({ tier: 'high', epoch: 2 });
    expect(sent.map((s) => s.job.tier)).toEqual(['high']);
    expect((await store.get(relaxed.id))?.tier).toBe('normal');
  });

  it('promotes a job up to an hour past its deadline, and no longer reads those overdue for longer', async () => {
    const { store, clock, deps } = setup();
    const overdue = (minutes: number) =>
      aJob({
        status: 'queued',
        priority: 5,
        tier: 'normal',
        queuedAt: clock.now().toISOString(),
        deadline: minutesAgo(clock, minutes),
      });
    const recent = overdue(30);
    const long = overdue(120);
    await store.create(recent);
    await store.create(long);
    expect((await recover(deps)).promoted).toBe(1);
    expect((await store.get(recent.id))?.tier).toBe('high');
    expect((await store.get(long.id))?.tier).toBe('normal');
    expect((await recover({ ...deps, overdueWindowMs: 3 * 60 * 60_000 })).promoted).toBe(2);
  });
});

describe('cleanup', () => {
  it('deletes finished jobs older than the retention and keeps the rest', async () => {
    const { store, clock, deps } = setup();
    const old = aJob({ status: 'completed', completedAt: minutesAgo(clock, 31 * 24 * 60) });
    const recent = aJob({ status: 'failed', completedAt: minutesAgo(clock, 60) });
    const active = aJob({ status: 'queued', createdAt: minutesAgo(clock, 40 * 24 * 60) });
    for (const job of [old, recent, active]) await store.create(job);
    expect(await cleanup(deps, 30)).toBe(1);
    expect(await store.get(old.id)).toBeNull();
    expect(await store.get(recent.id)).not.toBeNull();
    expect(await store.get(active.id)).not.toBeNull();
  });
});
