/** `GET /queue/stats`: maintained counters plus live queue depths; a fixed number of reads. */
import type { Clock } from '../core/clock.ts';
import { JOB_STATUSES } from '../core/job.ts';
import type { JobStore, StatsScope } from '../core/ports.ts';
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
  deps: { store: JobStore; queues: QueueInspector; clock: Clock; maxConcurrency: Record<Tier, number> },
  scope: StatsScope,
) {
  const [counters, depths, pastDeadline] = await Promise.all([
    deps.store.readStats(scope),
    deps.queues.depths(),
    deps.store.countPastDeadline(scope, deps.clock.now()),
  ]);
  const average = ({ sum, count }: { sum: number; count: number }) =>
    count > 0 ? Math.round(sum / count) : null;
  return {
    byStatus: Object.fromEntries(JOB_STATUSES.map((status) => [status, counters.byStatus[status]])),
    total: JOB_STATUSES.reduce((sum, status) => sum + counters.byStatus[status], 0),
    tiers: Object.fromEntries(
      TIERS.map((tier) => [tier, { ...depths[tier], maxConcurrency: deps.maxConcurrency[tier] }]),
    ),
    avgQueueTimeMs: average(counters.queueTime),
    avgExecutionTimeMs: average(counters.executionTime),
    priorityDistribution: counters.byPriority,
    pastDeadline,
  };
}
