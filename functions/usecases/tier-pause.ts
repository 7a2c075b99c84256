/**
 * `POST /admin/tiers/{tier}/pause|resume`. The stored state is written first (it is the truth: the stats
 * show it, the maintenance sweep leaves a paused tier's queued jobs alone, the local stack applies it at
 * start); then the tier's event source is switched. Both steps are idempotent, so a failure of the second
 * is repaired by repeating the request.
 */
import type { Clock } from '../core/clock.ts';
import type { TierControlStore, TierEventSources } from '../core/tier-control.ts';
import type { Tier } from '../core/tiers.ts';

export interface TierPauseDeps {
  tiers: TierControlStore;
  eventSources: TierEventSources;
  clock: Clock;
}

export async function setTierPaused(
  deps: TierPauseDeps,
  tier: Tier,
  paused: boolean,
): Promise<{ tier: Tier; paused: boolean }> {
  const state = await deps.tiers.setPaused(tier, paused, deps.clock.now());
  await deps.eventSources.setEnabled(tier, !state.paused);
  return { tier, paused: state.paused };
}
