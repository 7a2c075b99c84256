/**
 * The snapshot a job message carries: the few fields of the job, as written just before the message was
 * sent, that the worker's checks and its claim (or a continuation's resume) are computed from. A first
 * delivery can then start the job with one conditional write instead of a read and a write: the write is
 * pinned to the snapshot's `seq`, and since every write of a job bumps `seq`, a match proves the item is
 * still exactly what the snapshot was taken from. Any other item fails the condition, and the worker goes on
 * with the item the failed write returns, as if it had read it. Pure data and pure functions; no I/O.
 */
import { JOB_STATUSES, type Job, type JobStatus } from './job.ts';
import { resume } from './step-transitions.ts';
import { claim, type Transition } from './transitions.ts';

/** Every field a start transition, its precondition and the store's derived index attributes read. */
const REQUIRED = ['id', 'userId', 'status', 'seq', 'epoch', 'attempt', 'createdAt'] as const;
const NULLABLE = ['runAt', 'queuedAt', 'startedAt', 'completedAt', 'deadline'] as const;
const OPTIONAL = ['dispatchedAt', 'resends', 'continuations', 'handoffAt'] as const;
type SnapshotField = (typeof REQUIRED)[number] | (typeof NULLABLE)[number] | (typeof OPTIONAL)[number];

export type JobSnapshot = Pick<Job, SnapshotField>;

/** The snapshot of a job as it was written (its `seq` must be the stored one). */
export function snapshotOf(job: Job): JobSnapshot {
  const snapshot: Record<string, unknown> = {};
  for (const field of [...REQUIRED, ...NULLABLE, ...OPTIONAL]) {
    if (job[field] !== undefined) snapshot[field] = job[field];
  }
  return snapshot as JobSnapshot;
}

const isInteger = (value: unknown): boolean => Number.isInteger(value);
const isString = (value: unknown): boolean => typeof value === 'string';

/** A snapshot read from a message body, or undefined if it is absent or not one (the worker then reads). */
export function parseSnapshot(value: unknown): JobSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const valid =
    isString(record.id) &&
    isString(record.userId) &&
    isString(record.createdAt) &&
    JOB_STATUSES.includes(record.status as JobStatus) &&
    isInteger(record.seq) &&
    isInteger(record.epoch) &&
    isInteger(record.attempt) &&
    NULLABLE.every((field) => record[field] === null || isString(record[field])) &&
    [record.dispatchedAt, record.handoffAt].every((field) => field === undefined || isString(field)) &&
    [record.resends, record.continuations].every((field) => field === undefined || isInteger(field));
  return valid ? (record as unknown as JobSnapshot) : undefined;
}

/**
 * The transition that starts the job from its snapshot alone, pinned to the snapshot's `seq`: the claim of a
 * queued or retrying job that is due and not past its deadline, or the resume of a handed-off one. Null for
 * anything else (an early message, a passed deadline, a job not waiting for a worker): those rare cases
 * read the job first, as every later delivery of a message does.
 */
export function startFromSnapshot(snapshot: JobSnapshot, now: Date): Transition | null {
  let transition: Transition;
  if (snapshot.status === 'running' && snapshot.handoffAt !== undefined) {
    transition = resume(snapshot, now);
  } else if (snapshot.status === 'queued' || snapshot.status === 'retrying') {
    if (snapshot.deadline && new Date(snapshot.deadline).getTime() <= now.getTime()) return null;
    if (new Date(snapshot.queuedAt ?? 0).getTime() > now.getTime()) return null;
    transition = claim(snapshot, now);
  } else {
    return null;
  }
  return { ...transition, expect: { ...transition.expect, seq: snapshot.seq } };
}
