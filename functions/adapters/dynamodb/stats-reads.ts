/** Reading the statistics: the counters (a fixed number of shards) and the sparse deadline indexes. */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { JOB_STATUSES, type JobStatus } from '../../core/job.ts';
import type { Count, StatsCounters, StatsScope } from '../../core/ports.ts';
import { countCapped, MAX_COUNTED } from './index-reads.ts';
import { STATUS_SHARDS, userKey } from './job-item.ts';
import { ALL_SCOPE, sumShards, userScope } from './stats-items.ts';
import type { StoreContext } from './store-context.ts';

export async function readStats(context: StoreContext, scope: StatsScope): Promise<StatsCounters> {
  const { Items } = await context.client.send(
    new QueryCommand({
      TableName: context.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({
        ':pk': `STATS#${'all' in scope ? ALL_SCOPE : userScope(scope.userId)}`,
      }),
      ConsistentRead: true,
    }),
  );
  const total = sumShards((Items ?? []).map((item) => unmarshall(item)));
  const byStatus = Object.fromEntries(
    JOB_STATUSES.map((status) => [status, total[`n_${status}`] ?? 0]),
  ) as Record<JobStatus, number>;
  const byPriority: Record<string, number> = {};
  for (let priority = 1; priority <= 10; priority++)
    byPriority[String(priority)] = total[`p_${priority}`] ?? 0;
  return {
    byStatus,
    byPriority,
    queueTime: { sum: total.qt_sum ?? 0, count: total.qt_count ?? 0 },
    executionTime: { sum: total.et_sum ?? 0, count: total.et_count ?? 0 },
  };
}

/**
 * A user's count reads their own partition of `byUserDeadline`; the global one reads `byDeadline`. Both
 * examine at most MAX_COUNTED index items (a slice per shard for the global one).
 */
export async function countPastDeadline(context: StoreContext, scope: StatsScope, now: Date): Promise<Count> {
  const { client, table } = context;
  if ('userId' in scope) {
    return countCapped(client, {
      TableName: table,
      IndexName: 'byUserDeadline',
      KeyConditionExpression: 'userDeadlineKey = :pk AND deadlineTimeKey < :now',
      ExpressionAttributeValues: marshall({ ':pk': userKey(scope.userId), ':now': now.toISOString() }),
    });
  }
  const counts = await Promise.all(
    Array.from({ length: STATUS_SHARDS }, (_, shard) =>
      countCapped(
        client,
        {
          TableName: table,
          IndexName: 'byDeadline',
          KeyConditionExpression: 'deadlineKey = :pk AND deadlineTimeKey < :now',
          ExpressionAttributeValues: marshall({ ':pk': `DL#${shard}`, ':now': now.toISOString() }),
        },
        Math.ceil(MAX_COUNTED / STATUS_SHARDS),
      ),
    ),
  );
  return {
    count: counts.reduce((sum, part) => sum + part.count, 0),
    approximate: counts.some((part) => part.approximate),
  };
}
