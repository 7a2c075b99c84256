/** GET /queue/stats: every user's queue depths go to admins only; other callers keep the shape, with zeros. */
import { describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { queueStats, type TierDepth } from '../../functions/usecases/queue-stats.ts';
import { MemoryJobStore } from '../support/memory-store.ts';

const depth: TierDepth = { queued: 7, inFlight: 3, delayed: 2, deadLettered: 1 };
const maxConcurrency = { critical: 20, high: 10, normal: 5, low: 2 } as Record<Tier, number>;

function deps() {
  const depths = vi.fn(
    async () => Object.fromEntries(TIERS.map((tier) => [tier, depth])) as Record<Tier, TierDepth>,
  );
  return {
    depths,
    deps: { store: new MemoryJobStore(), queues: { depths }, clock: new TestClock(), maxConcurrency },
  };
}

describe('queue stats', () => {
  it('shows admins the tier depths of all users', async () => {
    const { deps: stats } = deps();
    const result = await queueStats(stats, { all: true });
    expect(result.tierDepthsVisible).toBe(true);
    expect(result.tiers.critical).toEqual({ ...depth, maxConcurrency: 20 });
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
      });
  });
});
