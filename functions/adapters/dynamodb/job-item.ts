/**
 * The mapping between a job and its DynamoDB item: the key attributes of the table and its indexes are
 * derived from the job, never stored separately by hand.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isTerminal, type Job, type JobStatus, statusTime } from '../../core/job.ts';

/** Status partitions of the `byStatus` index are split this many ways to spread writes. */
export const STATUS_SHARDS = 8;

export const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
export const userKey = (userId: string) => `U#${userId}`;
export const userStatusKey = (userId: string, status: JobStatus) => `U#${userId}#S#${status}`;
export const userTypeKey = (userId: string, type: string) => `U#${userId}#T#${type}`;
export const statusKey = (status: JobStatus, shard: number) => `S#${status}#${shard}`;
/** A dependency edge lives in the parent's partition, so a finished parent finds its dependants in one query. */
export const edgeKey = (parentId: string, childId: string) => ({
  pk: `JOB#${parentId}`,
  sk: `DEP#${childId}`,
});
export const idempotencyKey = (userId: string, key: string) => ({ pk: `IDEM#${userId}#${key}`, sk: 'IDEM' });
export const shardOf = (id: string): number =>
  (createHash('sha1').update(id).digest()[0] ?? 0) % STATUS_SHARDS;

export interface ItemOptions {
  /** Terminal jobs expire this many days after they end (DynamoDB TTL). */
  retentionDays: number;
}

/** The index and TTL attributes of a job: written with every change of status. */
export function derivedAttributes(
  job: Job,
  options: ItemOptions,
): Record<string, string | number | undefined> {
  const terminal = isTerminal(job.status);
  const endedAt = job.completedAt ? new Date(job.completedAt).getTime() : Date.now();
  return {
    userKey: userKey(job.userId),
    userStatusKey: userStatusKey(job.userId, job.status),
    userTypeKey: userTypeKey(job.userId, job.type),
    createdKey: `${job.createdAt}#${job.id}`,
    statusKey: statusKey(job.status, shardOf(job.id)),
    statusTimeKey: `${statusTime(job)}#${job.id}`,
    expiresAt: terminal ? Math.floor(endedAt / 1000) + options.retentionDays * 86400 : undefined,
    deadlineKey: !terminal && job.deadline ? `DL#${shardOf(job.id)}` : undefined,
    deadlineTimeKey: !terminal && job.deadline ? `${job.deadline}#${job.id}` : undefined,
  };
}

export function toItem(job: Job, options: ItemOptions): Record<string, AttributeValue> {
  return marshall(
    { ...jobKey(job.id), ...job, ...derivedAttributes(job, options) },
    { removeUndefinedValues: true, convertClassInstanceToMap: false },
  );
}

const INTERNAL = [
  'pk',
  'sk',
  'userKey',
  'userStatusKey',
  'userTypeKey',
  'createdKey',
  'statusKey',
  'statusTimeKey',
  'expiresAt',
];

export function fromItem(item: Record<string, AttributeValue>): Job {
  const record = unmarshall(item);
  for (const name of INTERNAL) delete record[name];
  return record as Job;
}
