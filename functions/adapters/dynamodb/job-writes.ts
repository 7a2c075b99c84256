/**
 * The job store's writes: create (one conditional put, or a transaction with the edges and the idempotency
 * record), a transition as one conditional write, and delete. Statistics are counted from the stream
 * (usecases/aggregate-stats.ts), never in these writes. A write sets only the derived index attributes whose
 * value changes, so a job that stays in the same index entries (queued → running) writes no index.
 */
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Job } from '../../core/job.ts';
import type { JobSnapshot } from '../../core/job-snapshot.ts';
import { type CreateOptions, type CreateResult, DependencyChangedError } from '../../core/ports.ts';
import { allows, applied, type Transition } from '../../core/transitions.ts';
import {
  activeKey,
  changedAttributes,
  edgeKey,
  fromItem,
  idempotencyKey,
  isActive,
  jobKey,
  shardOf,
  storedField,
  toItem,
} from './job-item.ts';
import type { StoreContext } from './store-context.ts';

const retentionEnd = (context: StoreContext, job: Job) =>
  Math.floor(new Date(job.createdAt).getTime() / 1000) + context.options.retentionDays * 86400;

/**
 * Precondition: no job with this id (and no idempotency record for the key). Writes the job alone with
 * one conditional PutItem, or, with an idempotency key or dependencies, in one transaction with the
 * idempotency record and the edges (each parent checked unfinished). Emits an INSERT on the stream, from
 * which the statistics are counted.
 */
export async function createJob(
  context: StoreContext,
  job: Job,
  options: CreateOptions = {},
): Promise<CreateResult> {
  const { client, table } = context;
  const { idempotency, waitsFor = [] } = options;
  const put = {
    TableName: table,
    Item: toItem(job, context.options),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  if (!idempotency && waitsFor.length === 0) {
    await client.send(new PutItemCommand(put));
    return { created: true };
  }
  const items: TransactWriteItem[] = [{ Put: put }];
  const expiresAt = retentionEnd(context, job);
  for (const parent of waitsFor) {
    items.push(
      { Put: { TableName: table, Item: marshall({ ...edgeKey(parent.id, job.id), expiresAt }) } },
      {
        ConditionCheck: {
          TableName: table,
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
        TableName: table,
        Item: marshall({
          ...idempotencyKey(job.userId, idempotency.key),
          jobId: job.id,
          fingerprint: idempotency.fingerprint,
          expiresAt,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  try {
    await transact(context, items);
    return { created: true };
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (idempotency && reasons.at(-1)?.Code === 'ConditionalCheckFailed') {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: table,
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

export async function getJob(context: StoreContext, id: string): Promise<Job | null> {
  const { Item } = await context.client.send(
    new GetItemCommand({ TableName: context.table, Key: marshall(jobKey(id)), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : null;
}

/**
 * One conditional UpdateItem: precondition = the transition's statuses (and epoch, when given); writes =
 * the transition's fields, the changed index/TTL attributes, and seq + 1. A change of status is pinned to
 * the exact status it changes from (the stream's old image then says what the counters move from); if
 * that status moved on meanwhile (say running → cancelling), the transition is re-checked against the
 * fresh job.
 */
export async function applyTransition(
  context: StoreContext,
  job: Job,
  transition: Transition,
): Promise<Job | null> {
  let current = job;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!allows(current, transition)) return null;
    const next = applied(current, transition);
    const update = updateFor(context, current, next, transition);
    try {
      const { Attributes } = await context.client.send(
        new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }),
      );
      return Attributes ? fromItem(Attributes) : next;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const fresh = await getJob(context, job.id);
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
export async function deleteJob(
  context: StoreContext,
  job: Job,
  dependants: (parentId: string) => Promise<string[]>,
): Promise<boolean> {
  const { client, table } = context;
  const remove = {
    TableName: table,
    Key: marshall(jobKey(job.id)),
    ConditionExpression: '#status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: marshall({ ':status': job.status }),
  };
  try {
    if (job.idempotencyKey) {
      await transact(context, [
        { Delete: remove },
        { Delete: { TableName: table, Key: marshall(idempotencyKey(job.userId, job.idempotencyKey)) } },
      ]);
    } else {
      await client.send(new DeleteItemCommand(remove));
    }
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  const edges = await dependants(job.id);
  for (let start = 0; start < edges.length; start += 25) {
    let requests = edges.slice(start, start + 25).map((childId) => ({
      DeleteRequest: { Key: marshall(edgeKey(job.id, childId)) },
    }));
    while (requests.length > 0) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return true;
}

/** The conditional UpdateItem of a transition from `current` (a job, or a snapshot of one) to `next`. */
export function updateFor(
  context: StoreContext,
  current: JobSnapshot,
  next: JobSnapshot,
  transition: Transition,
): Update {
  const derived = changedAttributes(current, next, context.options);
  // A job written before `byActive` existed has no activeKey: any change of status into an active one
  // writes it (the same value again for a job that had it: no index write).
  if (next.status !== current.status && isActive(next.status))
    derived.activeKey = activeKey(shardOf(next.id));
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
  if (transition.expect.handedOff !== undefined) {
    names['#handoffAt'] = 'handoffAt';
    condition += transition.expect.handedOff
      ? ' AND attribute_exists(#handoffAt)'
      : ' AND attribute_not_exists(#handoffAt)';
  }
  if (transition.expect.attempt !== undefined) {
    names['#attempt'] = 'attempt';
    values[':attempt'] = transition.expect.attempt;
    condition += ' AND #attempt = :attempt';
  }
  if (transition.expect.seq !== undefined) {
    values[':seq'] = transition.expect.seq;
    condition += ' AND #seq = :seq';
  }
  return {
    TableName: context.table,
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

/** TransactWriteItems, retried on conflicts with other transactions on the same items. */
async function transact(context: StoreContext, items: TransactWriteItem[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await context.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      const conflict =
        reasons.some((reason) => reason.Code === 'TransactionConflict') &&
        !reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
      if (!conflict || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
    }
  }
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed'));
