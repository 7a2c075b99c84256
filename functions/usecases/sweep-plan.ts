/**
 * Which parts of the every-minute sweep have anything to read. Each part queries its own sparse index
 * entries (8 shards each): about 57 queries, 28.5 read units a minute, even when no job is unfinished. The
 * statistics counters (one query) say how many jobs are in each status, so a part whose statuses count
 * zero is skipped. The counters lag the jobs by the stream's few seconds, which no part cares about (each
 * acts on jobs minutes old: stale heartbeats, lost messages, due times 15 minutes ahead); should they ever
 * be wrong, every FULL_SWEEP_EVERY_MINUTES-th minute the sweep reads everything regardless, which bounds
 * the delay such an error could add.
 */
import type { Clock } from '../core/clock.ts';
import type { JobStore } from '../core/ports.ts';

export interface SweepPlan {
  /** Running and cancelling jobs (stale heartbeats, handed-off steps). */
  stale: boolean;
  /** Scheduled jobs due within the SQS delay window. */
  scheduled: boolean;
  /** Queued and retrying jobs whose message may be lost. */
  lost: boolean;
  /** Queued jobs near their deadline. */
  urgent: boolean;
  /** Pending jobs whose dependencies all ended. */
  pending: boolean;
}

export const FULL_SWEEP: SweepPlan = {
  stale: true,
  scheduled: true,
  lost: true,
  urgent: true,
  pending: true,
};

/** Every this many minutes (by the clock) the sweep reads every part whatever the counters say. */
export const FULL_SWEEP_EVERY_MINUTES = 10;

export async function planSweep(deps: {
  store: Pick<JobStore, 'readStats'>;
  clock: Clock;
}): Promise<SweepPlan> {
  if (Math.floor(deps.clock.now().getTime() / 60_000) % FULL_SWEEP_EVERY_MINUTES === 0) return FULL_SWEEP;
  const { byStatus: n } = await deps.store.readStats({ all: true });
  // Not zero rather than positive: a negative count is an error worth a full read.
  return {
    stale: n.running !== 0 || n.cancelling !== 0,
    scheduled: n.scheduled !== 0,
    lost: n.queued !== 0 || n.retrying !== 0,
    urgent: n.queued !== 0,
    pending: n.pending !== 0,
  };
}
