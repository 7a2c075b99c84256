/**
 * Maintenance listings through the sharded, sparse indexes, oldest first per shard; the cursor holds one
 * position per shard:
 * - `byActive` (queued, running, cancelling, retrying) by creation time: a status listing reads entries created by
 *   `until` (a job enters its status after it was created) and keeps the jobs in that status whose status
 *   time is by `until`;
 * - `byStatus` (waiting and ended jobs) by status time;
 * - `byDeadline` (unfinished jobs with a deadline) by deadline.
 */
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../../core/errors.ts';
import { isTerminal, type Job, type JobStatus, statusTime } from '../../core/job.ts';
import type { Page, StatusQuery } from '../../core/ports.ts';
import { batchGetJobs } from './index-reads.ts';
import { activeKey, isActive, STATUS_SHARDS, statusKey } from './job-item.ts';
import type { StoreContext } from './store-context.ts';

interface ShardedIndex {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  partition: (shard: number) => string;
}

export function listByStatus(
  context: StoreContext,
  status: JobStatus,
  query: StatusQuery,
): Promise<Page<Job>> {
  if (isActive(status)) {
    const until = query.until;
    return listSharded(
      context,
      { indexName: 'byActive', partitionKey: 'activeKey', sortKey: 'createdKey', partition: activeKey },
      { ...query, since: undefined },
      (job) => job.status === status && (until === undefined || statusTime(job) <= until),
    );
  }
  return listSharded(
    context,
    {
      indexName: 'byStatus',
      partitionKey: 'statusKey',
      sortKey: 'statusTimeKey',
      partition: (shard) => statusKey(status, shard),
    },
    query,
    (job) => job.status === status,
  );
}

export function listByDeadline(context: StoreContext, query: StatusQuery): Promise<Page<Job>> {
  return listSharded(
    context,
    {
      indexName: 'byDeadline',
      partitionKey: 'deadlineKey',
      sortKey: 'deadlineTimeKey',
      partition: (shard) => `DL#${shard}`,
    },
    query,
    (job) => !isTerminal(job.status),
  );
}

/** Reads a sharded index up to `until`, a slice of every shard per page; keeps jobs that still match. */
async function listSharded(
  context: StoreContext,
  index: ShardedIndex,
  query: StatusQuery,
  stillMatches: (job: Job) => boolean,
): Promise<Page<Job>> {
  const positions = decodeShardCursor(query.cursor, index.partitionKey, index.partition);
  const perShard = Math.max(1, Math.ceil(query.limit / STATUS_SHARDS));
  const pages = await Promise.all(
    positions.map(async (position, shard) => {
      if (position === null) return { keys: [], next: null };
      const result = await context.client.send(
        new QueryCommand({
          TableName: context.table,
          IndexName: index.indexName,
          KeyConditionExpression: `#pk = :pk${sortCondition(query)}`,
          ExpressionAttributeNames: {
            '#pk': index.partitionKey,
            ...((query.until || query.since) && { '#sk': index.sortKey }),
          },
          ExpressionAttributeValues: marshall({
            ':pk': index.partition(shard),
            ...(query.until && { ':until': `${query.until}#~` }),
            ...(query.since && { ':since': query.since }),
          }),
          Limit: perShard,
          ...(Object.keys(position).length > 0 && { ExclusiveStartKey: position }),
        }),
      );
      return { keys: result.Items ?? [], next: result.LastEvaluatedKey ?? null };
    }),
  );
  const jobs = await batchGetJobs(
    context.client,
    context.table,
    pages.flatMap((page) => page.keys),
  );
  const next = pages.map((page) => page.next);
  return {
    items: jobs.filter(stillMatches),
    nextCursor: next.some((key) => key !== null)
      ? Buffer.from(JSON.stringify(next)).toString('base64url')
      : null,
  };
}

/** The sort-key bounds of a sharded listing: `since` (inclusive) and `until` (the whole `until` instant). */
function sortCondition(query: StatusQuery): string {
  if (query.since && query.until) return ' AND #sk BETWEEN :since AND :until';
  if (query.until) return ' AND #sk <= :until';
  if (query.since) return ' AND #sk >= :since';
  return '';
}

/** A sharded-index cursor holds one position per shard (null: shard exhausted), each in its own partition. */
function decodeShardCursor(
  cursor: string | undefined,
  partitionKey: string,
  partition: (shard: number) => string,
): Array<Record<string, AttributeValue> | null> {
  if (cursor === undefined) return Array.from({ length: STATUS_SHARDS }, () => ({}));
  try {
    const positions = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(positions) &&
      positions.length === STATUS_SHARDS &&
      positions.every(
        (position, shard) =>
          position === null ||
          (typeof position === 'object' &&
            (position as Record<string, AttributeValue>)[partitionKey]?.S === partition(shard)),
      )
    ) {
      return positions as Array<Record<string, AttributeValue> | null>;
    }
  } catch {
    // fall through
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from this listing' }]);
}
