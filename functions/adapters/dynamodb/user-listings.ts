/**
 * A user's jobs, newest first, all through `byUser` (keys written once at create, so listings cost no
 * index write on any status change). A status or type filter is applied to the fetched jobs, examining a
 * bounded number of index items per request; the cursor continues from there.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { JOB_STATUSES, type Job, type JobStatus } from '../../core/job.ts';
import type { Count, ListQuery, Page } from '../../core/ports.ts';
import { decodeCursor } from './cursor.ts';
import { countFetched, filteredJobs, pagedJobs } from './index-reads.ts';
import { userKey } from './job-item.ts';
import { readStats } from './stats-reads.ts';
import type { StoreContext } from './store-context.ts';

type Filter = Omit<ListQuery, 'limit' | 'cursor'>;

const byUser = (userId: string) => ({
  TableName: '',
  IndexName: 'byUser',
  KeyConditionExpression: 'userKey = :pk',
  ExpressionAttributeValues: marshall({ ':pk': userKey(userId) }),
});

const matching = (query: Filter) => (job: Job) =>
  (query.status === undefined || job.status === query.status) &&
  (query.type === undefined || job.type === query.type);

export async function listUserJobs(
  context: StoreContext,
  userId: string,
  query: ListQuery,
): Promise<Page<Job>> {
  const input = {
    ...byUser(userId),
    TableName: context.table,
    ScanIndexForward: false,
    indexKeys: ['userKey', 'createdKey'],
  };
  const startKey = decodeCursor(query.cursor, { name: 'userKey', value: userKey(userId) });
  if (query.status === undefined && query.type === undefined) {
    return pagedJobs(context.client, context.table, input, query.limit, startKey);
  }
  return filteredJobs(context.client, context.table, input, query.limit, startKey, matching(query));
}

/**
 * Without a type filter: exact, from the user's counters (a fixed number of reads). With one: counted
 * through `byUser` on the fetched jobs, at most MAX_COUNTED index items examined.
 */
export async function countUserJobs(context: StoreContext, userId: string, query: Filter): Promise<Count> {
  if (query.type === undefined) {
    const { byStatus } = await readStats(context, { userId });
    const count =
      query.status !== undefined
        ? byStatus[query.status as JobStatus]
        : JOB_STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
    return { count, approximate: false };
  }
  return countFetched(
    context.client,
    context.table,
    { ...byUser(userId), TableName: context.table },
    matching(query),
  );
}
