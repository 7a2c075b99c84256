/** GET /queue/stats: every user's queue depths go to admins only; other callers keep the shape, with zeros. */
import { describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { queueStats, type TierDepth } from '../../functions/usecases/queue-stats.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { MemoryTierControl } from '../support/memory-tier-control.ts';

const depth: TierDepth = { queued: 7, inFlight: 3, delayed: 2, deadLettered: 1 };
const maxConcurrency = { critical: 20, high: 10, normal: 5, low: 2 } as Record<Tier, number>;

function deps() {
  const depths = vi.fn(
    async () => Object.fromEntries(TIERS.map((tier) => [tier, depth])) as Record<Tier, TierDepth>,
  );
  const tiers = new MemoryTierControl();
  return {
    depths,
    tiers,
    deps: { store: new MemoryJobStore(), queues: { depths }, tiers, clock: new TestClock(), maxConcurrency },
  };
}

describe('queue stats', () => {
  it('shows admins the tier depths of all users', async () => {
    const { deps: stats } = deps();
    const result = await queueStats(stats, { all: true });
    expect(result.tierDepthsVisible).toBe(true);
    expect(result.tiers.critical).toEqual({ ...depth, maxConcurrency: 20, paused: false });
  });

  it('does not show other users the depths (nor read the queues), and keeps the contract fields', async () => {
    const { deps: stats, depths } = deps();
    const result = await queueStats(stats, { userId: 'alice' });
    expect(result.tierDepthsVisible).toBe(false);
    expect(depths).not.toHaveBeenCalled();
    for (const tier of TIERS)
      expect(result.tiers[tier]).toEqual({
        queued: 0,
        inFlight: 0,
        delayed: 0,
        deadLettered: 0,
        maxConcurrency: maxConcurrency[tier],
        paused: false,
      });
  });

  it('shows which tiers are paused, to every caller', async () => {
    const { deps: stats, tiers } = deps();
    await tiers.setPaused('low', true, new Date());
    for (const scope of [{ all: true as const }, { userId: 'alice' }]) {
      const result = await queueStats(stats, scope);
      expect(TIERS.map((tier) => result.tiers[tier]?.paused)).toEqual([false, false, false, true]);
    }
  });
});
