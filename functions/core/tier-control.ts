/**
 * Pausing a tier: the stored state (the truth, read by the stats and the maintenance sweep) and the two
 * ports that keep it. A paused tier still takes jobs: they are dispatched and stay `queued` with their
 * message in the tier's queue; only its event source (deployed: the SQS event source mapping, locally:
 * the tier's poller) is switched off, so nothing new starts there until it is resumed.
 */
import { TIERS, type Tier } from './tiers.ts';

export interface TierState {
  paused: boolean;
  /** When the state last changed (null: never paused). */
  changedAt: string | null;
  /**
   * When the tier was last resumed: its queued jobs waited while it was paused, so the lost-message
   * sweep counts their wait from here (see lost-messages.ts).
   */
  resumedAt: string | null;
}

export type TierStates = Record<Tier, TierState>;

const RUNNING: TierState = { paused: false, changedAt: null, resumedAt: null };

/** Every tier running: what a fresh deployment (no stored state) means. */
export const ALL_RUNNING: TierStates = Object.fromEntries(TIERS.map((tier) => [tier, RUNNING])) as TierStates;

/** The stored tier states (one small item; one read). */
export interface TierControlStore {
  read(): Promise<TierStates>;
  /** Records `paused` for `tier` at `at` (idempotent) and returns the tier's new state. */
  setPaused(tier: Tier, paused: boolean, at: Date): Promise<TierState>;
}

/** What makes a tier's workers receive or not: the tier queue's event source. */
export interface TierEventSources {
  setEnabled(tier: Tier, enabled: boolean): Promise<void>;
}
