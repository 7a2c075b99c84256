/**
 * Maintained statistics: counter items updated in the same transaction as every status change, so they are
 * exact, and read in O(1) (a fixed number of shards) however many jobs the table holds. Counters are sharded
 * by job id to spread writes; each user has their own set, and one set counts every job.
 */
import type { AttributeValue, Update } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Job } from '../../core/job.ts';
import { STATUS_SHARDS, shardOf } from './job-item.ts';

export const statsKey = (scope: string, shard: number) => ({ pk: `STATS#${scope}`, sk: `S#${shard}` });
export const userScope = (userId: string) => `U#${userId}`;
export const ALL_SCOPE = 'ALL';
export const STATS_SHARDS = STATUS_SHARDS;

export type Deltas = Record<string, number>;

/** What a change from `before` to `after` adds to the counters (undefined: a job is created or deleted). */
export function statsDeltas(before: Job | undefined, after: Job | undefined): Deltas {
  const deltas: Deltas = {};
  const add = (name: string, value: number) => {
    if (value !== 0) deltas[name] = (deltas[name] ?? 0) + value;
  };
  if (before) {
    add(`n_${before.status}`, -1);
    if (!after) add(`p_${before.priority}`, -1);
  }
  if (after) {
    add(`n_${after.status}`, 1);
    if (!before) add(`p_${after.priority}`, 1);
    // Times are counted once, when they first appear on the job (claim and end of a run).
    if (after.queueTimeMs != null && after.startedAt !== before?.startedAt) {
      add('qt_sum', after.queueTimeMs);
      add('qt_count', 1);
    }
    if (
      after.executionTimeMs != null &&
      after.completedAt != null &&
      after.completedAt !== before?.completedAt
    ) {
      add('et_sum', after.executionTimeMs);
      add('et_count', 1);
    }
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
