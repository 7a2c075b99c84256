/**
 * The mapping between a job and its DynamoDB item: the key attributes of the table and its indexes are
 * derived from the job, never stored separately by hand.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isTerminal, type Job, type JobStatus, statusTime } from '../../core/job.ts';
import type { JobSnapshot } from '../../core/job-snapshot.ts';

/** Partitions of the `byStatus`, `byActive` and `byDeadline` indexes are split this many ways to spread writes. */
export const STATUS_SHARDS = 8;

/**
 * Statuses indexed in `byActive` (keys written once when a job becomes active, removed when it leaves):
 * a job moves between them (queued → running → cancelling, a re-send, running → retrying → running)
 * without any index write. A retrying job is found by the lost-message sweep through `byActive` like a
 * queued one (by its due time), so a retry costs no index entries (it cost four through `byStatus`).
 */
export const ACTIVE_STATUSES: ReadonlySet<JobStatus> = new Set([
  'queued',
  'running',
  'cancelling',
  'retrying',
]);
export const isActive = (status: JobStatus): boolean => ACTIVE_STATUSES.has(status);

/**
 * The user part of every composite key (`U#<user>...`, `IDEM#<user>#<key>`, `STATS#U#<user>`, WebSocket
 * subscriptions). A user id of at most 128 characters from a set without `#` and `~` is used as it is (so
 * existing keys stay valid); any other becomes `~` + its SHA-256 (base64url). Two users never share a part,
 * a part never contains `#` (so `alice#x` + key `y` cannot meet `alice` + key `x#y`), and it is at most
 * 128 bytes whatever the token's `sub`, far under DynamoDB's key limits (2,048 / 1,024 bytes).
 */
const PLAIN_USER = /^[A-Za-z0-9_.@:|+=,/-]{1,128}$/;
export const userPart = (userId: string): string =>
  PLAIN_USER.test(userId) ? userId : `~${createHash('sha256').update(userId).digest('base64url')}`;

export const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
export const userKey = (userId: string) => `U#${userPart(userId)}`;
export const activeKey = (shard: number) => `A#${shard}`;
export const statusKey = (status: JobStatus, shard: number) => `S#${status}#${shard}`;
/** A dependency edge lives in the parent's partition, so a finished parent finds its dependants in one query. */
export const edgeKey = (parentId: string, childId: string) => ({
  pk: `JOB#${parentId}`,
  sk: `DEP#${childId}`,
});
export const idempotencyKey = (userId: string, key: string) => ({
  pk: `IDEM#${userPart(userId)}#${key}`,
  sk: 'IDEM',
});
export const shardOf = (id: string): number =>
  (createHash('sha1').update(id).digest()[0] ?? 0) % STATUS_SHARDS;

export interface ItemOptions {
  /** Terminal jobs expire this many days after they end (DynamoDB TTL). */
  retentionDays: number;
}

/** The keys of `byUser`, written once with the job and never changed (so never an index write again). */
const stableAttributes = (job: Job) => ({
  userKey: userKey(job.userId),
  createdKey: `${job.createdAt}#${job.id}`,
});

/**
 * The index and TTL attributes that depend on the status (undefined: absent). Each index is sparse: a job
 * is in `byActive` while queued/running/cancelling/retrying (keys that do not change meanwhile), in
 * `byStatus` while waiting (pending, scheduled: by due time) or once ended (by end time), and in the deadline
 * indexes while unfinished with a deadline.
 */
export function derivedAttributes(
  job: JobSnapshot,
  options: ItemOptions,
): Record<string, string | number | undefined> {
  const terminal = isTerminal(job.status);
  const active = isActive(job.status);
  const shard = shardOf(job.id);
  const endedAt = job.completedAt ? new Date(job.completedAt).getTime() : Date.now();
  return {
    activeKey: active ? activeKey(shard) : undefined,
    statusKey: active ? undefined : statusKey(job.status, shard),
    statusTimeKey: active ? undefined : `${statusTime(job)}#${job.id}`,
    expiresAt: terminal ? Math.floor(endedAt / 1000) + options.retentionDays * 86400 : undefined,
    deadlineKey: !terminal && job.deadline ? `DL#${shard}` : undefined,
    deadlineTimeKey: !terminal && job.deadline ? `${job.deadline}#${job.id}` : undefined,
    userDeadlineKey: !terminal && job.deadline ? userKey(job.userId) : undefined,
  };
}

/**
 * The derived attributes a change from `current` to `next` must write: only those whose value differs
 * (undefined: remove), so a change that keeps a job in the same index entry writes no index at all.
 */
export function changedAttributes(
  current: JobSnapshot,
  next: JobSnapshot,
  options: ItemOptions,
): Record<string, string | number | undefined> {
  const before = derivedAttributes(current, options);
  const after = derivedAttributes(next, options);
  return Object.fromEntries(Object.entries(after).filter(([name, value]) => before[name] !== value));
}

/**
 * `params` and `result` are stored as JSON strings (`paramsJson`, `resultJson`): no 32-level nesting limit,
 * no marshalling of large trees, and their size is what core/limits.ts bounds.
 */
export const JSON_FIELDS = { params: 'paramsJson', result: 'resultJson' } as const;
/** A job's durable steps (core/steps.ts) as one JSON string attribute, written whole with each step. */
export const STEPS_FIELD = 'stepsJson';

/** The stored form of a job field: a JSON field becomes its string attribute; others stay as they are. */
export function storedField(field: string, value: unknown): [string, unknown] {
  if (field === 'params' || field === 'result') return [JSON_FIELDS[field], JSON.stringify(value ?? null)];
  if (field === 'steps') return [STEPS_FIELD, value === undefined ? undefined : JSON.stringify(value)];
  return [field, value];
}

export function toItem(job: Job, options: ItemOptions): Record<string, AttributeValue> {
  const { params, result, steps, ...rest } = job;
  return marshall(
    {
      ...jobKey(job.id),
      ...rest,
      // Params kept in the payload store (paramsRef) are null here.
      paramsJson: JSON.stringify(job.paramsRef ? null : (params ?? {})),
      resultJson: JSON.stringify(result ?? null),
      ...(steps && { [STEPS_FIELD]: JSON.stringify(steps) }),
      ...stableAttributes(job),
      ...derivedAttributes(job, options),
    },
    { removeUndefinedValues: true, convertClassInstanceToMap: false },
  );
}

const INTERNAL = [
  'pk',
  'sk',
  'userKey',
  'userStatusKey',
  'userTypeKey',
  'activeKey',
  'createdKey',
  'deadlineKey',
  'deadlineTimeKey',
  'userDeadlineKey',
  'statusKey',
  'statusTimeKey',
  'expiresAt',
  'paramsJson',
  'resultJson',
  STEPS_FIELD,
];

/** Reads a job item; items written before the JSON-string layout hold `params`/`result` as maps. */
export function fromItem(item: Record<string, AttributeValue>): Job {
  const record = unmarshall(item);
  if (typeof record.paramsJson === 'string') record.params = JSON.parse(record.paramsJson);
  if (typeof record.resultJson === 'string') record.result = JSON.parse(record.resultJson);
  if (typeof record[STEPS_FIELD] === 'string') record.steps = JSON.parse(record[STEPS_FIELD]);
  for (const name of INTERNAL) delete record[name];
  return record as Job;
}

/** Whether a raw item (say a stream image) is a job item. */
export const isJobItem = (item: Record<string, AttributeValue> | undefined): boolean =>
  item?.pk?.S?.startsWith('JOB#') === true && item.sk?.S === 'JOB';
