/**
 * The job store's writes: create (job, edges, idempotency record and counters in one transaction), a
 * transition as one conditional write, and delete. A write sets only the derived index attributes whose
 * value changes, so a job that stays in the same index entries (queued → running) writes no index.
 */
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Job } from '../../core/job.ts';
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
import { statsDeltas, statsUpdates } from './stats-items.ts';
import type { StoreContext } from './store-context.ts';

const retentionEnd = (context: StoreContext, job: Job) =>
  Math.floor(new Date(job.createdAt).getTime() / 1000) + context.options.retentionDays * 86400;

/**
 * Precondition: no job with this id (and no idempotency record for the key). Writes the job, the
 * idempotency record and the counters in one transaction. Emits an INSERT on the stream.
 */
export async function createJob(
  context: StoreContext,
  job: Job,
  options: CreateOptions = {},
): Promise<CreateResult> {
  const { client, table } = context;
  const { idempotency, waitsFor = [] } = options;
  const items: TransactWriteItem[] = [
    {
      Put: {
        TableName: table,
        Item: toItem(job, context.options),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...statsUpdates(table, job, statsDeltas(undefined, job)).map((Update) => ({ Update })),
  ];
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
 * One conditional write: precondition = the transition's statuses (and epoch, when given); writes = the
 * transition's fields, the changed index/TTL attributes, and seq + 1. A change of status also moves the
 * counters, in the same transaction, so it is pinned to the exact status it changes from; if that status
 * moved on meanwhile (say running → cancelling), the transition is re-checked against the fresh job.
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
    if (next.status === current.status) {
      try {
        const { Attributes } = await context.client.send(
          new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }),
        );
        return Attributes ? fromItem(Attributes) : next;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    } else {
      const counters = statsUpdates(context.table, next, statsDeltas(current, next));
      try {
        await transact(context, [{ Update: update }, ...counters.map((Update) => ({ Update }))]);
        return await getJob(context, job.id);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    const fresh = await getJob(context, job.id);
    if (!fresh) return null;
    current = fresh;
  }
  return null;
}

/**
 * Precondition: the job is still in the (terminal) status read. Deletes it, its idempotency record and
 * the counters' share in one transaction, then its dependency edges (which nothing reads once it ended).
 */
export async function deleteJob(
  context: StoreContext,
  job: Job,
  dependants: (parentId: string) => Promise<string[]>,
): Promise<boolean> {
  const { client, table } = context;
  try {
    await transact(context, [
      {
        Delete: {
          TableName: table,
          Key: marshall(jobKey(job.id)),
          ConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':status': job.status }),
        },
      },
      ...(job.idempotencyKey
        ? [{ Delete: { TableName: table, Key: marshall(idempotencyKey(job.userId, job.idempotencyKey)) } }]
        : []),
      ...statsUpdates(table, job, statsDeltas(job, undefined)).map((Update) => ({ Update })),
    ]);
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

function updateFor(context: StoreContext, current: Job, next: Job, transition: Transition): Update {
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
  if (transition.expect.attempt !== undefined) {
    names['#attempt'] = 'attempt';
    values[':attempt'] = transition.expect.attempt;
    condition += ' AND #attempt = :attempt';
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

/** TransactWriteItems, retried on conflicts with other transactions on the same counter shard. */
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
