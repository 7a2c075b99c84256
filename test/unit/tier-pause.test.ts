/**
 * Tier pause: the use case (stored state first, then the event source) and what the maintenance sweep does
 * with a paused tier's queued jobs (they are not lost: neither re-sent nor declared dead, nor moved to
 * another tier), with the project's clock instead of waits.
 */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import { MAX_RESENDS } from '../../functions/core/lost-messages.ts';
import { type MaintenanceDeps, recover } from '../../functions/usecases/maintenance.ts';
import { setTierPaused } from '../../functions/usecases/tier-pause.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';
import { MemoryTierControl, RecordingEventSources } from '../support/memory-tier-control.ts';

function setup() {
  const clock = new TestClock('2026-07-01T00:00:00.000Z');
  const tiers = new MemoryTierControl();
  const eventSources = new RecordingEventSources();
  const store = new MemoryJobStore();
  const sent: Job[] = [];
  const maintenance: MaintenanceDeps = {
    store,
    clock,
    logger: silentLogger,
    tiers,
    dispatcher: { dispatch: async (job) => void sent.push(job) },
    staleAfterMs: 120_000,
    lostAfterMs: 900_000,
    deadlineUrgencyMs: 600_000,
  };
  return { clock, tiers, eventSources, store, sent, maintenance, pause: { tiers, eventSources, clock } };
}

describe('setTierPaused', () => {
  it('stores the state, then switches the tier event source off and on again', async () => {
    const { tiers, eventSources, pause, clock } = setup();
    expect(await setTierPaused(pause, 'low', true)).toEqual({ tier: 'low', paused: true });
    expect((await tiers.read()).low).toMatchObject({ paused: true, changedAt: clock.now().toISOString() });
    expect((await tiers.read()).high.paused).toBe(false);
    clock.tick(60_000);
    expect(await setTierPaused(pause, 'low', false)).toEqual({ tier: 'low', paused: false });
    expect((await tiers.read()).low).toMatchObject({ paused: false, resumedAt: clock.now().toISOString() });
    expect(eventSources.calls).toEqual([
      { tier: 'low', enabled: false },
      { tier: 'low', enabled: true },
    ]);
  });

  it('is repeatable: a failed switch leaves the state stored and a repeat completes it', async () => {
    const { tiers, eventSources, pause } = setup();
    eventSources.failNext = true;
    await expect(setTierPaused(pause, 'normal', true)).rejects.toThrow('UpdateEventSourceMapping');
    expect((await tiers.read()).normal.paused).toBe(true);
    await setTierPaused(pause, 'normal', true);
    expect(eventSources.calls).toEqual([{ tier: 'normal', enabled: false }]);
  });
});

describe('maintenance and a paused tier', () => {
  const queuedLongAgo = (clock: TestClock, overrides: Partial<Job> = {}) =>
    aJob({
      status: 'queued',
      priority: 2,
      tier: 'low',
      queuedAt: clock.now().toISOString(),
      dispatchedAt: clock.now().toISOString(),
      ...overrides,
    });

  it('neither re-sends nor kills queued jobs of a paused tier, however long it stays paused', async () => {
    const { clock, store, sent, maintenance, pause } = setup();
    await setTierPaused(pause, 'low', true);
    const waiting = queuedLongAgo(clock);
    const elsewhere = queuedLongAgo(clock, { priority: 5, tier: 'normal' });
    await store.create(waiting);
    await store.create(elsewhere);
    // A day of sweeps: far beyond the whole re-send series (MAX_RESENDS doublings from 15 min).
    for (let minute = 0; minute < 24 * 60; minute += 15) {
      clock.tick(15 * 60_000);
      await recover(maintenance);
    }
    expect(await store.get(waiting.id)).toMatchObject({ status: 'queued', epoch: 1 });
    expect((await store.get(waiting.id))?.resends).toBeUndefined();
    expect(sent.some((job) => job.id === waiting.id)).toBe(false);
    // The running tier's unclaimed job went through the usual series to dead.
    expect(await store.get(elsewhere.id)).toMatchObject({ status: 'dead', epoch: 1 + MAX_RESENDS });
  });

  it('after a resume, counts a queued job wait from the resume', async () => {
    const { clock, store, sent, maintenance, pause } = setup();
    await setTierPaused(pause, 'low', true);
    const waiting = queuedLongAgo(clock);
    await store.create(waiting);
    clock.tick(3 * 60 * 60_000);
    await setTierPaused(pause, 'low', false);
    clock.tick(14 * 60_000);
    await recover(maintenance);
    expect(sent).toEqual([]);
    clock.tick(2 * 60_000);
    await recover(maintenance);
    expect(sent.map((job) => job.id)).toEqual([waiting.id]);
    expect(await store.get(waiting.id)).toMatchObject({ status: 'queued', epoch: 2, resends: 1 });
  });

  it('does not move urgent jobs out of a paused tier, nor into one', async () => {
    const { clock, store, sent, maintenance, pause } = setup();
    const deadline = new Date(clock.now().getTime() + 5 * 60_000).toISOString();
    const inPaused = queuedLongAgo(clock, { deadline });
    const belowPaused = queuedLongAgo(clock, { priority: 5, tier: 'normal', deadline });
    const free = queuedLongAgo(clock, { priority: 7, tier: 'high', deadline });
    for (const job of [inPaused, belowPaused, free]) await store.create(job);
    await setTierPaused(pause, 'low', true);
    await setTierPaused(pause, 'high', true);
    expect((await recover(maintenance)).promoted).toBe(0);
    await setTierPaused(pause, 'high', false);
    expect((await recover(maintenance)).promoted).toBe(2);
    expect(sent.map((job) => [job.id, job.tier])).toEqual(
      expect.arrayContaining([
        [belowPaused.id, 'high'],
        [free.id, 'critical'],
      ]),
    );
    expect((await store.get(inPaused.id))?.tier).toBe('low');
  });
});

describe('maintenance after the local emulator lost every message', () => {
  it('re-sends a paused tier queued jobs into its queue (they stay queued there)', async () => {
    const { clock, store, sent, maintenance, pause } = setup();
    await setTierPaused(pause, 'low', true);
    const waiting = aJob({
      status: 'queued',
      priority: 2,
      tier: 'low',
      dispatchedAt: clock.now().toISOString(),
    });
    await store.create(waiting);
    await recover({ ...maintenance, lostAfterMs: -1, allMessagesLost: true });
    expect(sent.map((job) => [job.id, job.tier])).toEqual([[waiting.id, 'low']]);
    expect(await store.get(waiting.id)).toMatchObject({ status: 'queued', epoch: 2 });
  });
});
