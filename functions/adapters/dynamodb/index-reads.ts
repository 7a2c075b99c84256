/**
 * Bounded reads through an index: every request examines at most a fixed number of index items, so a
 * filter that matches nothing, or a partition of any size, costs the same few queries.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Job } from '../../core/job.ts';
import type { Count, Page } from '../../core/ports.ts';
import { encodeCursor } from './cursor.ts';
import { fromItem } from './job-item.ts';

/** Index items a filtered listing examines per request at most (the page may then hold fewer jobs). */
export const MAX_EXAMINED_PER_PAGE = 500;
/** Index items a count examines per request at most; beyond it the count is a lower bound (`approximate`). */
export const MAX_COUNTED = 1000;

const BATCH_GET_LIMIT = 100;

type Key = Record<string, AttributeValue>;

/**
 * Counts what a query matches (Select COUNT reads keys, returns no items), examining at most `cap` index
 * items. `approximate` is true when it stopped there: the true count is at least `count`.
 */
export async function countCapped(
  client: DynamoDBClient,
  input: QueryCommandInput,
  cap: number = MAX_COUNTED,
): Promise<Count> {
  let count = 0;
  let examined = 0;
  let startKey: Key | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, Select: 'COUNT', Limit: cap - examined, ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    examined += page.ScannedCount ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey && examined < cap);
  return { count, approximate: startKey !== undefined };
}

/**
 * One page of jobs through an index: up to `limit` matches, examining at most MAX_EXAMINED_PER_PAGE index
 * items when a filter thins the results out. The cursor resumes right after the last item examined or
 * returned, so a page may hold fewer than `limit` jobs (even none) and still have a next cursor.
 */
export async function pagedJobs(
  client: DynamoDBClient,
  tableName: string,
  input: QueryCommandInput & { indexKeys: string[] },
  limit: number,
  startKey: Key | undefined,
): Promise<Page<Job>> {
  const { indexKeys, ...query } = input;
  const filtered = query.FilterExpression !== undefined;
  const keys: Key[] = [];
  let position = startKey;
  let examined = 0;
  do {
    const page = await client.send(
      new QueryCommand({
        ...query,
        Limit: filtered ? MAX_EXAMINED_PER_PAGE - examined : limit - keys.length,
        ExclusiveStartKey: position,
      }),
    );
    examined += page.ScannedCount ?? 0;
    const items = page.Items ?? [];
    const room = limit - keys.length;
    if (items.length > room) {
      keys.push(...items.slice(0, room));
      position = keyOf(items[room - 1] as Key, ['pk', 'sk', ...indexKeys]);
      break;
    }
    keys.push(...items);
    position = page.LastEvaluatedKey;
  } while (position && keys.length < limit && examined < MAX_EXAMINED_PER_PAGE);
  return { items: await batchGetJobs(client, tableName, keys), nextCursor: encodeCursor(position) };
}

/**
 * One page of jobs through an index whose entries do not hold what the filter needs (`byUser` holds keys
 * only): examines at most MAX_EXAMINED_PER_PAGE index items, fetching their jobs a chunk at a time and
 * stopping as soon as `limit` jobs match. The cursor resumes right after the last index item used.
 */
export async function filteredJobs(
  client: DynamoDBClient,
  tableName: string,
  input: QueryCommandInput & { indexKeys: string[] },
  limit: number,
  startKey: Key | undefined,
  matches: (job: Job) => boolean,
): Promise<Page<Job>> {
  const { indexKeys, ...query } = input;
  const chunkSize = Math.min(BATCH_GET_LIMIT, Math.max(25, 2 * limit));
  const found: Job[] = [];
  let position = startKey;
  let examined = 0;
  while (examined < MAX_EXAMINED_PER_PAGE) {
    const page = await client.send(
      new QueryCommand({ ...query, Limit: MAX_EXAMINED_PER_PAGE - examined, ExclusiveStartKey: position }),
    );
    const keys = page.Items ?? [];
    examined += page.ScannedCount ?? keys.length;
    for (let start = 0; start < keys.length; start += chunkSize) {
      const chunk = keys.slice(start, start + chunkSize);
      const jobs = await jobsById(client, tableName, chunk);
      for (const key of chunk) {
        const job = jobs.get(idOf(key));
        if (job && matches(job)) found.push(job);
        if (found.length === limit) {
          const last = key === keys.at(-1) && !page.LastEvaluatedKey;
          return {
            items: found,
            nextCursor: last ? null : encodeCursor(keyOf(key, ['pk', 'sk', ...indexKeys])),
          };
        }
      }
    }
    position = page.LastEvaluatedKey;
    if (!position) break;
  }
  return { items: found, nextCursor: encodeCursor(position) };
}

/**
 * Counts the jobs of an index partition that match, fetching them (the index holds keys only) and
 * examining at most `cap` index items; `approximate` when it stopped there.
 */
export async function countFetched(
  client: DynamoDBClient,
  tableName: string,
  input: QueryCommandInput,
  matches: (job: Job) => boolean,
  cap: number = MAX_COUNTED,
): Promise<Count> {
  let count = 0;
  let examined = 0;
  let startKey: Key | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, Limit: cap - examined, ExclusiveStartKey: startKey }),
    );
    const keys = page.Items ?? [];
    examined += page.ScannedCount ?? keys.length;
    const jobs = await jobsById(client, tableName, keys);
    for (const job of jobs.values()) if (matches(job)) count += 1;
    startKey = page.LastEvaluatedKey;
  } while (startKey && examined < cap);
  return { count, approximate: startKey !== undefined };
}

const idOf = (key: Key): string => String(key.pk?.S).slice('JOB#'.length);

const keyOf = (item: Key, names: string[]): Key =>
  Object.fromEntries(names.map((name) => [name, item[name] as AttributeValue]));

/** Reads full jobs for index keys, in the order of the keys; retries unprocessed keys. */
export async function batchGetJobs(
  client: DynamoDBClient,
  tableName: string,
  indexItems: Key[],
): Promise<Job[]> {
  const found = await jobsById(client, tableName, indexItems);
  return indexItems.map((item) => found.get(idOf(item))).filter((job): job is Job => job !== undefined);
}

/** Reads the jobs of index keys by id (absent: deleted meanwhile); retries unprocessed keys. */
async function jobsById(
  client: DynamoDBClient,
  tableName: string,
  indexItems: Key[],
): Promise<Map<string, Job>> {
  const found = new Map<string, Job>();
  for (let start = 0; start < indexItems.length; start += BATCH_GET_LIMIT) {
    let keys = indexItems.slice(start, start + BATCH_GET_LIMIT).map((item) => ({
      pk: item.pk as AttributeValue,
      sk: item.sk as AttributeValue,
    }));
    for (let round = 0; keys.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
      const result = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        const job = fromItem(item);
        found.set(job.id, job);
      }
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
}
