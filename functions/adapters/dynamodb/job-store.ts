/**
 * The DynamoDB implementation of the JobStore port. Every state change is one conditional UpdateItem built
 * from a core `Transition`; lists read keys from an index and the jobs with BatchGetItem. No scans.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../../core/errors.ts';
import { isTerminal, JOB_STATUSES, type Job, type JobStatus } from '../../core/job.ts';
import {
  type Count,
  type CreateOptions,
  type CreateResult,
  DependencyChangedError,
  type JobStore,
  type ListQuery,
  type Page,
  type StatsCounters,
  type StatsScope,
  type StatusQuery,
} from '../../core/ports.ts';
import { allows, applied, type Transition } from '../../core/transitions.ts';
import { decodeCursor } from './cursor.ts';
import { batchGetJobs, countCapped, MAX_COUNTED, pagedJobs } from './index-reads.ts';
import {
  derivedAttributes,
  edgeKey,
  fromItem,
  type ItemOptions,
  idempotencyKey,
  jobKey,
  STATUS_SHARDS,
  statusKey,
  storedField,
  toItem,
  userKey,
  userStatusKey,
  userTypeKey,
} from './job-item.ts';
import { ALL_SCOPE, sumShards, userScope } from './stats-items.ts';

export interface DynamoJobStoreOptions extends ItemOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoJobStore implements JobStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #options: ItemOptions;

  constructor(options: DynamoJobStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#options = { retentionDays: options.retentionDays };
  }

  /**
   * Precondition: no job with this id (and no idempotency record for the key). Writes the job alone with
   * one conditional PutItem, or, with an idempotency key or dependencies, in one transaction with the
   * idempotency record and the edges (each parent checked unfinished). Emits an INSERT on the stream, from
   * which the statistics are counted (usecases/aggregate-stats.ts).
   */
  async create(job: Job, options: CreateOptions = {}): Promise<CreateResult> {
    const { idempotency, waitsFor = [] } = options;
    const put = {
      TableName: this.#table,
      Item: toItem(job, this.#options),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (!idempotency && waitsFor.length === 0) {
      await this.#client.send(new PutItemCommand(put));
      return { created: true };
    }
    const items: TransactWriteItem[] = [{ Put: put }];
    const expiresAt =
      Math.floor(new Date(job.createdAt).getTime() / 1000) + this.#options.retentionDays * 86400;
    for (const parent of waitsFor) {
      items.push(
        { Put: { TableName: this.#table, Item: marshall({ ...edgeKey(parent.id, job.id), expiresAt }) } },
        {
          ConditionCheck: {
            TableName: this.#table,
            Key: marshall(jobKey(parent.id)),
            ConditionExpression: 'NOT #status IN (:c, :f, :x, :d)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({
              ':c': 'completed',
              ':f': 'failed',
              ':x': 'cancelled',
              ':d': 'dead',
            }),
          },
        },
      );
    }
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.#table,
          Item: marshall({
            ...idempotencyKey(job.userId, idempotency.key),
            jobId: job.id,
            fingerprint: idempotency.fingerprint,
            expiresAt:
              Math.floor(new Date(job.createdAt).getTime() / 1000) + this.#options.retentionDays * 86400,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.#transact(items);
      return { created: true };
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (idempotency && reasons.at(-1)?.Code === 'ConditionalCheckFailed') {
        const { Item } = await this.#client.send(
          new GetItemCommand({
            TableName: this.#table,
            Key: marshall(idempotencyKey(job.userId, idempotency.key)),
            ConsistentRead: true,
          }),
        );
        if (Item) {
          const record = unmarshall(Item);
          return { created: false, jobId: String(record.jobId), fingerprint: String(record.fingerprint) };
        }
      }
      if (waitsFor.length > 0 && reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        throw new DependencyChangedError('a dependency finished while the job was being created');
      }
      throw error;
    }
  }

  async listDependants(parentId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dep)',
          ExpressionAttributeValues: marshall({ ':pk': jobKey(parentId).pk, ':dep': 'DEP#' }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.sk?.S).slice('DEP#'.length));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  async get(id: string): Promise<Job | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: marshall(jobKey(id)), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  }

  /**
   * One conditional UpdateItem: precondition = the transition's statuses (and epoch, when given); writes =
   * the transition's fields, the derived index/TTL attributes, and seq + 1. A change of status is pinned to
   * the exact status it changes from (the stream's old image then says what the counters move from); if
   * that status moved on meanwhile (say running → cancelling), the transition is re-checked against the
   * fresh job.
   */
  async apply(job: Job, transition: Transition): Promise<Job | null> {
    let current = job;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!allows(current, transition)) return null;
      const next = applied(current, transition);
      const update = this.#updateFor(current, next, transition);
      try {
        const { Attributes } = await this.#client.send(
          new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }),
        );
        return Attributes ? fromItem(Attributes) : next;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const fresh = await this.get(job.id);
      if (!fresh) return null;
      current = fresh;
    }
    return null;
  }

  /**
   * Precondition: the job is still in the (terminal) status read. Deletes it (with its idempotency record,
   * in one transaction, when it has one), then its dependency edges (which nothing reads once it ended).
   * The stream's REMOVE record takes its share out of the counters.
   */
  async delete(job: Job): Promise<boolean> {
    const remove = {
      TableName: this.#table,
      Key: marshall(jobKey(job.id)),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':status': job.status }),
    };
    try {
      if (job.idempotencyKey) {
        await this.#transact([
          { Delete: remove },
          {
            Delete: { TableName: this.#table, Key: marshall(idempotencyKey(job.userId, job.idempotencyKey)) },
          },
        ]);
      } else {
        await this.#client.send(new DeleteItemCommand(remove));
      }
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    const edges = await this.listDependants(job.id);
    for (let start = 0; start < edges.length; start += 25) {
      let requests = edges.slice(start, start + 25).map((childId) => ({
        DeleteRequest: { Key: marshall(edgeKey(job.id, childId)) },
      }));
      while (requests.length > 0) {
        const result = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
        );
        requests = (result.UnprocessedItems?.[this.#table] ?? []) as typeof requests;
      }
    }
    return true;
  }

  async readStats(scope: StatsScope): Promise<StatsCounters> {
    const { Items } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
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
  async countPastDeadline(scope: StatsScope, now: Date): Promise<Count> {
    if ('userId' in scope) {
      return countCapped(this.#client, {
        TableName: this.#table,
        IndexName: 'byUserDeadline',
        KeyConditionExpression: 'userDeadlineKey = :pk AND deadlineTimeKey < :now',
        ExpressionAttributeValues: marshall({ ':pk': userKey(scope.userId), ':now': now.toISOString() }),
      });
    }
    const counts = await Promise.all(
      Array.from({ length: STATUS_SHARDS }, (_, shard) =>
        countCapped(
          this.#client,
          {
            TableName: this.#table,
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

  #updateFor(current: Job, next: Job, transition: Transition): Update {
    const derived = derivedAttributes(next, this.#options);
    const values: Record<string, unknown> = { ':one': 1 };
    const names: Record<string, string> = { '#seq': 'seq', '#status': 'status' };
    const sets = ['#seq = #seq + :one'];
    const removes: string[] = [];
    const fields = Object.entries({ ...transition.set, ...derived }).map(([field, value]) =>
      storedField(field, value),
    );
    fields.forEach(([field, value], index) => {
      names[`#f${index}`] = field;
      if (value === undefined) {
        removes.push(`#f${index}`);
      } else {
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
    });
    let condition: string;
    if (next.status !== current.status) {
      values[':from'] = current.status;
      condition = '#status = :from';
    } else {
      condition = `#status IN (${transition.expect.status
        .map((status, index) => {
          values[`:s${index}`] = status;
          return `:s${index}`;
        })
        .join(', ')})`;
    }
    if (transition.expect.epoch !== undefined) {
      names['#epoch'] = 'epoch';
      values[':epoch'] = transition.expect.epoch;
      condition += ' AND #epoch = :epoch';
    }
    if (transition.expect.attempt !== undefined) {
      names['#attempt'] = 'attempt';
      values[':attempt'] = transition.expect.attempt;
      condition += ' AND #attempt = :attempt';
    }
    return {
      TableName: this.#table,
      Key: marshall(jobKey(current.id)),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: `attribute_exists(pk) AND ${condition}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values, {
        removeUndefinedValues: true,
        convertClassInstanceToMap: false,
      }),
    };
  }

  /** TransactWriteItems, retried on conflicts with other transactions on the same counter shard. */
  async #transact(items: TransactWriteItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const conflict =
          error instanceof TransactionCanceledException &&
          (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
          !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
        if (!conflict || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
    }
  }

  async listByUser(userId: string, query: ListQuery): Promise<Page<Job>> {
    const index = pickUserIndex(userId, query);
    const typeFilter = query.status !== undefined && query.type !== undefined;
    return pagedJobs(
      this.#client,
      this.#table,
      {
        TableName: this.#table,
        IndexName: index.indexName,
        KeyConditionExpression: `#pk = :pk`,
        ExpressionAttributeNames: { '#pk': index.name, ...(typeFilter && { '#type': 'type' }) },
        ExpressionAttributeValues: marshall({
          ':pk': index.value,
          ...(typeFilter && { ':type': query.type }),
        }),
        ...(typeFilter && { FilterExpression: '#type = :type' }),
        ScanIndexForward: false,
        indexKeys: [index.name, 'createdKey'],
      },
      query.limit,
      decodeCursor(query.cursor, index),
    );
  }

  /**
   * Without a type filter: exact, from the user's counters (a fixed number of reads). With one: counted
   * through the index, at most MAX_COUNTED items examined.
   */
  async countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<Count> {
    if (query.type === undefined) {
      const { byStatus } = await this.readStats({ userId });
      const count =
        query.status !== undefined
          ? byStatus[query.status]
          : JOB_STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
      return { count, approximate: false };
    }
    const index = pickUserIndex(userId, query);
    const typeFilter = query.status !== undefined;
    return countCapped(this.#client, {
      TableName: this.#table,
      IndexName: index.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.name, ...(typeFilter && { '#type': 'type' }) },
      ExpressionAttributeValues: marshall({ ':pk': index.value, ...(typeFilter && { ':type': query.type }) }),
      ...(typeFilter && { FilterExpression: '#type = :type' }),
    });
  }

  /** Oldest first per shard; the cursor holds one position per shard. */
  listByStatus(status: JobStatus, query: StatusQuery): Promise<Page<Job>> {
    return this.#listSharded(
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

  listByDeadline(query: StatusQuery): Promise<Page<Job>> {
    return this.#listSharded(
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
  async #listSharded(
    index: { indexName: string; partitionKey: string; sortKey: string; partition: (shard: number) => string },
    query: StatusQuery,
    stillMatches: (job: Job) => boolean,
  ): Promise<Page<Job>> {
    const positions = decodeShardCursor(query.cursor, index.partitionKey, index.partition);
    const perShard = Math.max(1, Math.ceil(query.limit / STATUS_SHARDS));
    const pages = await Promise.all(
      positions.map(async (position, shard) => {
        if (position === null) return { keys: [], next: null };
        const result = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
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
      this.#client,
      this.#table,
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
}

/** The sort-key bounds of a sharded listing: `since` (inclusive) and `until` (the whole `until` instant). */
function sortCondition(query: StatusQuery): string {
  if (query.since && query.until) return ' AND #sk BETWEEN :since AND :until';
  if (query.until) return ' AND #sk <= :until';
  if (query.since) return ' AND #sk >= :since';
  return '';
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

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed'));

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
