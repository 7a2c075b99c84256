/**
 * `GET /queue/stats`: maintained counters plus live queue depths; a fixed number of reads. The tier depths
 * (queued, inFlight, delayed, deadLettered) are every user's messages, so only admins see them: other callers
 * get zeros there and `tierDepthsVisible: false` (the tiers' maxConcurrency and paused stay), and no queue
 * is read. `paused` comes from the stored tier states (one read).
 */
import type { Clock } from '../core/clock.ts';
import { JOB_STATUSES } from '../core/job.ts';
import type { JobStore, StatsScope } from '../core/ports.ts';
import type { TierControlStore } from '../core/tier-control.ts';
import { TIERS, type Tier } from '../core/tiers.ts';

export interface TierDepth {
  queued: number;
  inFlight: number;
  delayed: number;
  deadLettered: number;
}

export interface QueueInspector {
  depths(): Promise<Record<Tier, TierDepth>>;
}

export async function queueStats(
  deps: {
    store: JobStore;
    queues: QueueInspector;
    tiers: Pick<TierControlStore, 'read'>;
    clock: Clock;
    maxConcurrency: Record<Tier, number>;
  },
  scope: StatsScope,
) {
  const tierDepthsVisible = 'all' in scope;
  const [counters, depths, pastDeadline, tierStates] = await Promise.all([
    deps.store.readStats(scope),
    tierDepthsVisible ? deps.queues.depths() : Promise.resolve(HIDDEN_DEPTHS),
    deps.store.countPastDeadline(scope, deps.clock.now()),
    deps.tiers.read(),
  ]);
  const average = ({ sum, count }: { sum: number; count: number }) =>
    count > 0 ? Math.round(sum / count) : null;
  return {
    byStatus: Object.fromEntries(JOB_STATUSES.map((status) => [status, counters.byStatus[status]])),
    total: JOB_STATUSES.reduce((sum, status) => sum + counters.byStatus[status], 0),
    tiers: Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        { ...depths[tier], maxConcurrency: deps.maxConcurrency[tier], paused: tierStates[tier].paused },
      ]),
    ),
    avgQueueTimeMs: average(counters.queueTime),
    avgExecutionTimeMs: average(counters.executionTime),
    priorityDistribution: counters.byPriority,
    pastDeadline: pastDeadline.count,
    pastDeadlineApproximate: pastDeadline.approximate,
    tierDepthsVisible,
  };
}

const NO_DEPTH: TierDepth = { queued: 0, inFlight: 0, delayed: 0, deadLettered: 0 };
const HIDDEN_DEPTHS = Object.fromEntries(TIERS.map((tier) => [tier, NO_DEPTH])) as Record<Tier, TierDepth>;
