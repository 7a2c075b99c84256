/** In-memory tier states and event sources for unit tests. */
import {
  ALL_RUNNING,
  type TierControlStore,
  type TierEventSources,
  type TierState,
  type TierStates,
} from '../../functions/core/tier-control.ts';
import type { Tier } from '../../functions/core/tiers.ts';

export class MemoryTierControl implements TierControlStore {
  states: TierStates = { ...ALL_RUNNING };

  async read(): Promise<TierStates> {
    return structuredClone(this.states);
  }

  async setPaused(tier: Tier, paused: boolean, at: Date): Promise<TierState> {
    const now = at.toISOString();
    const before = this.states[tier];
    this.states[tier] = { paused, changedAt: now, resumedAt: paused ? before.resumedAt : now };
    return { ...this.states[tier] };
  }
}

/** Records every switch; `failNext` makes the next call throw (an API error of the Lambda service). */
export class RecordingEventSources implements TierEventSources {
  calls: Array<{ tier: Tier; enabled: boolean }> = [];
  failNext = false;

  async setEnabled(tier: Tier, enabled: boolean): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('UpdateEventSourceMapping failed');
    }
    this.calls.push({ tier, enabled });
  }
}
