/**
 * Maintained statistics: one counter item per scope (`STATS#ALL`, `STATS#U#<user>`), moved by the stream
 * consumer from the changes of the jobs (stats-aggregate.ts, stats-writer.ts), and read in O(1) however
 * many jobs the table holds. A read sums every item of the scope's partition, so the shards `S#0..7` of
 * the earlier per-transaction counters still count after an upgrade.
 */
import type { Job } from '../../core/job.ts';
import { STATUS_SHARDS, userPart } from './job-item.ts';

export const statsKey = (scope: string, shard: number) => ({ pk: `STATS#${scope}`, sk: `S#${shard}` });
export const userScope = (userId: string) => `U#${userPart(userId)}`;
export const ALL_SCOPE = 'ALL';
export const STATS_SHARDS = STATUS_SHARDS;

export type Deltas = Record<string, number>;

/** The timings the averages are over: a job's current queue time, and its execution time once it ended. */
const timings = (job: Job | undefined) => ({
  qt: job?.queueTimeMs ?? null,
  et: job?.completedAt ? (job.executionTimeMs ?? null) : null,
});

/**
 * What a change from `before` to `after` adds to the counters (undefined: the job is created or deleted).
 * The counters are a function of the jobs as they are, so a recount of the table gives the same numbers.
 */
export function statsDeltas(before: Job | undefined, after: Job | undefined): Deltas {
  const deltas: Deltas = {};
  const add = (name: string, value: number) => {
    if (value !== 0) deltas[name] = (deltas[name] ?? 0) + value;
  };
  if (before) add(`n_${before.status}`, -1);
  if (after) add(`n_${after.status}`, 1);
  if (before && !after) add(`p_${before.priority}`, -1);
  if (after && !before) add(`p_${after.priority}`, 1);
  const [was, now] = [timings(before), timings(after)];
  for (const metric of ['qt', 'et'] as const) {
    add(`${metric}_sum`, (now[metric] ?? 0) - (was[metric] ?? 0));
    add(`${metric}_count`, (now[metric] === null ? 0 : 1) - (was[metric] === null ? 0 : 1));
  }
  return deltas;
}

/** Sums the counters of every shard of a scope. */
export function sumShards(items: Array<Record<string, unknown>>): Deltas {
  const total: Deltas = {};
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number') total[name] = (total[name] ?? 0) + value;
    }
  }
  return total;
}
