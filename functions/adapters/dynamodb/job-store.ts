/**
 * The DynamoDB implementation of the JobStore port. Every state change is one conditional UpdateItem built
 * from a core `Transition`; lists read keys from an index and the jobs with BatchGetItem. No scans.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Job, JobStatus } from '../../core/job.ts';
import type { JobStore, ListQuery, Page } from '../../core/ports.ts';
import { applied, type Transition } from '../../core/transitions.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import {
  derivedAttributes,
  fromItem,
  type ItemOptions,
  jobKey,
  STATUS_SHARDS,
  statusKey,
  toItem,
  userKey,
  userStatusKey,
  userTypeKey,
} from './job-item.ts';

export interface DynamoJobStoreOptions extends ItemOptions {
  client: DynamoDBClient;
  tableName: string;
}

const BATCH_GET_LIMIT = 100;

export class DynamoJobStore implements JobStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #options: ItemOptions;

  constructor(options: DynamoJobStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#options = { retentionDays: options.retentionDays };
  }

  async create(job: Job): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: toItem(job, this.#options),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<Job | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: marshall(jobKey(id)), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  }

  /**
   * One conditional write: precondition = the transition's statuses (and epoch, when given);
   * writes = the transition's fields, the derived index/TTL attributes, and seq + 1.
   */
  async apply(job: Job, transition: Transition): Promise<Job | null> {
    const next = applied(job, transition);
    const derived = derivedAttributes(next, this.#options);
    const values: Record<string, unknown> = { ':one': 1 };
    const names: Record<string, string> = { '#seq': 'seq', '#status': 'status' };
    const sets = ['#seq = #seq + :one'];
    const removes: string[] = [];
    const fields = { ...transition.set, ...derived };
    Object.entries(fields).forEach(([field, value], index) => {
      names[`#f${index}`] = field;
      if (value === undefined) {
        removes.push(`#f${index}`);
      } else {
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
    });
    const statuses = transition.expect.status.map((status, index) => {
      values[`:s${index}`] = status;
      return `:s${index}`;
    });
    let condition = `#status IN (${statuses.join(', ')})`;
    if (transition.expect.epoch !== undefined) {
      names['#epoch'] = 'epoch';
      values[':epoch'] = transition.expect.epoch;
      condition += ' AND #epoch = :epoch';
    }
    try {
      const { Attributes } = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall(jobKey(job.id)),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, {
            removeUndefinedValues: true,
            convertClassInstanceToMap: false,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem(Attributes) : next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  async listByUser(userId: string, query: ListQuery): Promise<Page<Job>> {
    const index = pickUserIndex(userId, query);
    const typeFilter = query.status !== undefined && query.type !== undefined;
    const input: QueryCommandInput = {
      TableName: this.#table,
      IndexName: index.indexName,
      KeyConditionExpression: `#pk = :pk`,
      ExpressionAttributeNames: { '#pk': index.name, ...(typeFilter && { '#type': 'type' }) },
      ExpressionAttributeValues: marshall({ ':pk': index.value, ...(typeFilter && { ':type': query.type }) }),
      ...(typeFilter && { FilterExpression: '#type = :type' }),
      ScanIndexForward: false,
    };
    return this.#pagedJobs(input, query.limit, decodeCursor(query.cursor, index));
  }

  async countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<number> {
    const index = pickUserIndex(userId, query);
    const typeFilter = query.status !== undefined && query.type !== undefined;
    let count = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: index.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.name, ...(typeFilter && { '#type': 'type' }) },
          ExpressionAttributeValues: marshall({
            ':pk': index.value,
            ...(typeFilter && { ':type': query.type }),
          }),
          ...(typeFilter && { FilterExpression: '#type = :type' }),
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** Oldest first across all shards of the status; the cursor holds one position per shard. */
  async listByStatus(
    status: JobStatus,
    query: { until?: string; limit: number; cursor?: string },
  ): Promise<Page<Job>> {
    const positions: Array<Record<string, AttributeValue> | null> = query.cursor
      ? (JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Array<Record<
          string,
          AttributeValue
        > | null>)
      : Array.from({ length: STATUS_SHARDS }, () => ({}));
    const perShard = Math.max(1, Math.ceil(query.limit / STATUS_SHARDS));
    const pages = await Promise.all(
      positions.map(async (position, shard) => {
        if (position === null) return { keys: [], next: null };
        const result = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'byStatus',
            KeyConditionExpression: query.until ? '#pk = :pk AND #sk <= :until' : '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'statusKey', ...(query.until && { '#sk': 'statusTimeKey' }) },
            ExpressionAttributeValues: marshall({
              ':pk': statusKey(status, shard),
              ...(query.until && { ':until': `${query.until}#~` }),
            }),
            Limit: perShard,
            ...(Object.keys(position).length > 0 && { ExclusiveStartKey: position }),
          }),
        );
        return { keys: result.Items ?? [], next: result.LastEvaluatedKey ?? null };
      }),
    );
    const jobs = await this.#batchGet(pages.flatMap((page) => page.keys));
    const next = pages.map((page) => page.next);
    return {
      items: jobs.filter((job) => job.status === status),
      nextCursor: next.some((key) => key !== null)
        ? Buffer.from(JSON.stringify(next)).toString('base64url')
        : null,
    };
  }

  /** Pages through an index until `limit` jobs are found (a filter may thin pages out). */
  async #pagedJobs(
    input: QueryCommandInput,
    limit: number,
    startKey: Record<string, AttributeValue> | undefined,
  ): Promise<Page<Job>> {
    const keys: Array<Record<string, AttributeValue>> = [];
    let position = startKey;
    do {
      const page = await this.#client.send(
        new QueryCommand({ ...input, Limit: limit - keys.length, ExclusiveStartKey: position }),
      );
      keys.push(...(page.Items ?? []));
      position = page.LastEvaluatedKey;
    } while (position && keys.length < limit);
    const jobs = await this.#batchGet(keys);
    return { items: jobs, nextCursor: encodeCursor(position) };
  }

  /** Reads full jobs for index keys, in the order of the keys; retries unprocessed keys. */
  async #batchGet(indexItems: Array<Record<string, AttributeValue>>): Promise<Job[]> {
    const found = new Map<string, Job>();
    for (let start = 0; start < indexItems.length; start += BATCH_GET_LIMIT) {
      let keys = indexItems.slice(start, start + BATCH_GET_LIMIT).map((item) => ({
        pk: item.pk as AttributeValue,
        sk: item.sk as AttributeValue,
      }));
      for (let round = 0; keys.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
        const result = await this.#client.send(
          new BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.#table] ?? []) {
          const job = fromItem(item);
          found.set(job.id, job);
        }
        keys = (result.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof keys;
      }
    }
    return indexItems
      .map((item) => found.get(String(item.pk?.S).slice('JOB#'.length)))
      .filter((job): job is Job => job !== undefined);
  }
}

function pickUserIndex(userId: string, query: { status?: JobStatus | undefined; type?: string | undefined }) {
  if (query.status !== undefined) {
    return { indexName: 'byUserStatus', name: 'userStatusKey', value: userStatusKey(userId, query.status) };
  }
  if (query.type !== undefined) {
    return { indexName: 'byUserType', name: 'userTypeKey', value: userTypeKey(userId, query.type) };
  }
  return { indexName: 'byUser', name: 'userKey', value: userKey(userId) };
}
