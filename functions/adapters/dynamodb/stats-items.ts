/**
 * Maintained statistics: counter items updated in the same transaction as every status change, so they are
 * exact, and read in O(1) (a fixed number of shards) however many jobs the table holds. Counters are sharded
 * by job id to spread writes; each user has their own set, and one set counts every job.
 */
import type { AttributeValue, Update } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Job } from '../../core/job.ts';
import { STATUS_SHARDS, shardOf, userPart } from './job-item.ts';

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

/** The counter updates (the user's and the global shard) for a transaction. */
export function statsUpdates(tableName: string, job: Job, deltas: Deltas): Update[] {
  const entries = Object.entries(deltas);
  if (entries.length === 0) return [];
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const parts = entries.map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = { N: String(value) };
    return `#c${i} :c${i}`;
  });
  const shard = shardOf(job.id);
  return [userScope(job.userId), ALL_SCOPE].map((scope) => ({
    TableName: tableName,
    Key: marshall(statsKey(scope, shard)),
    UpdateExpression: `ADD ${parts.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }));
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
