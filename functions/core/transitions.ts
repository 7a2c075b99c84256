/**
 * Every state change of a job, as pure functions. Each returns a `Transition`: the precondition the store
 * checks atomically (status, and the fencing epoch where a worker acts), and the fields it writes. The store
 * applies it as one conditional write that also bumps `seq`; the table stream turns each write into a
 * `job.updated` event. Nothing here does I/O.
 */
import { fullJitterBackoff } from './backoff.ts';
import type { JobError } from './errors.ts';
import type { Job, JobErrorInfo, JobProgress, JobStatus } from './job.ts';
import {
  MAX_ERROR_MESSAGE_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
  MAX_STAGE_BYTES,
  truncateBytes,
} from './limits.ts';
import type { PayloadRef } from './payloads.ts';

export interface Transition {
  name: string;
  /**
   * The precondition: one of these statuses, and where a worker acts, the fencing token: the message's
   * `epoch` and the run's `attempt`. The attempt matters when a returning message recovers a crashed run
   * at the same epoch: a paused worker of the older attempt must not write into the newer one.
   * `seq` pins a transition computed from a snapshot (core/job-snapshot.ts) to the exact version it saw.
   */
  expect: {
    status: readonly JobStatus[];
    epoch?: number;
    attempt?: number;
    handedOff?: boolean;
    seq?: number;
  };
  set: Partial<Job>;
}

const ms = (from: string | null, to: Date): number | null =>
  from === null ? null : Math.max(0, to.getTime() - new Date(from).getTime());

/** An error as stored: code and message cut to their limits (core/limits.ts), whatever an agent threw. */
export const boundedError = (error: JobErrorInfo): JobErrorInfo => ({
  code: truncateBytes(String(error.code), 64),
  message: truncateBytes(String(error.message), MAX_ERROR_MESSAGE_BYTES),
  retryable: error.retryable,
});

export const errorInfo = (error: JobError): JobErrorInfo =>
  boundedError({ code: error.code, message: error.message, retryable: error.retryable });

/** Progress as stored: stage and message cut to their limits. */
export const boundedProgress = (progress: JobProgress): JobProgress => ({
  percent: progress.percent,
  stage: progress.stage === null ? null : truncateBytes(String(progress.stage), MAX_STAGE_BYTES),
  message:
    progress.message === null ? null : truncateBytes(String(progress.message), MAX_PROGRESS_MESSAGE_BYTES),
});

/** Runs started since the job's retry budget was last renewed (a retry or redrive renews it). */
export const runsInBudget = (job: Job): number => job.attempt - (job.retryBase ?? 0);

/** An exhausted error's message: the last error's, and how many runs were spent on it. */
export const gaveUp = (message: string, runs: number): string =>
  `${message} (gave up after ${runs} attempt${runs === 1 ? '' : 's'})`;

/**
 * queued|retrying at `epoch` and `attempt` → running. The one way a job starts; a duplicate or stale message
 * fails it. The attempt is part of the precondition because the claim sets `attempt + 1` from the version it
 * was read from: a claim that waited (a slow request) must not start the job again after another run of
 * the same attempt failed back to `retrying` (found by the soak: one attempt run twice).
 */
export function claim(
  job: Pick<Job, 'epoch' | 'attempt' | 'queuedAt' | 'resends' | 'continuations' | 'handoffAt'>,
  now: Date,
): Transition {
  return {
    name: 'claim',
    expect: { status: ['queued', 'retrying'], epoch: job.epoch, attempt: job.attempt },
    set: {
      status: 'running',
      attempt: job.attempt + 1,
      startedAt: now.toISOString(),
      heartbeatAt: now.toISOString(),
      completedAt: null,
      queueTimeMs: ms(job.queuedAt, now),
      ...(job.resends !== undefined && { resends: undefined }),
      // A new attempt starts in its first invocation (steps stored by earlier attempts are kept).
      ...(job.continuations && { continuations: 0 }),
      ...(job.handoffAt !== undefined && { handoffAt: undefined }),
    },
  };
}

/** queued|retrying at `epoch` → failed: its deadline passed before it could start. */
export function expire(job: Job, now: Date): Transition {
  return {
    name: 'expire',
    expect: { status: ['queued', 'retrying'], epoch: job.epoch, attempt: job.attempt },
    set: {
      status: 'failed',
      error: {
        code: 'deadline_exceeded',
        message: `The deadline ${job.deadline} passed before the job started`,
        retryable: false,
      },
      completedAt: now.toISOString(),
    },
  };
}

/** The fencing token of the run that holds `job`. */
const run = (job: Job) => ({ epoch: job.epoch, attempt: job.attempt });

/** running|cancelling at the run's `epoch`/`attempt`: refreshes the heartbeat and, when given, the progress. */
export function heartbeat(job: Job, now: Date, progress?: JobProgress): Transition {
  return {
    name: progress ? 'progress' : 'heartbeat',
    expect: { status: ['running', 'cancelling'], ...run(job) },
    set: progress
      ? { heartbeatAt: now.toISOString(), progress: boundedProgress(progress) }
      : { heartbeatAt: now.toISOString() },
  };
}

/**
 * running|cancelling at the run's `epoch`/`attempt` → completed with the agent's result. A cancel that lost the race is moot.
 * `progress`: the last one the agent reported, if the run's coalescing had not written it yet.
 */
export function complete(
  job: Job,
  result: unknown,
  now: Date,
  progress = job.progress,
  resultRef: PayloadRef | null = null,
): Transition {
  return {
    name: 'complete',
    expect: { status: ['running', 'cancelling'], ...run(job) },
    set: {
      status: 'completed',
      // A result kept in the payload store (written before this) is referred to, not held.
      result: resultRef ? null : (result ?? null),
      ...((resultRef || job.resultRef) && { resultRef }),
      error: null,
      progress: boundedProgress({ ...progress, percent: 100 }),
      completedAt: now.toISOString(),
      executionTimeMs: ms(job.startedAt, now),
    },
  };
}

function finish(name: string, status: JobStatus, job: Job, error: JobErrorInfo, now: Date): Transition {
  return {
    name,
    expect: { status: ['running', 'cancelling'], ...run(job) },
    set: {
      status,
      error: boundedError(error),
      completedAt: now.toISOString(),
      executionTimeMs: ms(job.startedAt, now),
    },
  };
}

/** running|cancelling → failed: a permanent error, or a timeout with no retries left. */
export const fail = (job: Job, error: JobErrorInfo, now: Date): Transition =>
  finish('fail', 'failed', job, error, now);

/** running|cancelling → dead: retries exhausted. */
export const bury = (job: Job, error: JobErrorInfo, now: Date): Transition =>
  finish('bury', 'dead', job, error, now);

/** cancelling at `epoch` → cancelled: the worker stopped the agent after a cancel request. */
export function acknowledgeCancel(job: Job, now: Date): Transition {
  return {
    ...finish(
      'acknowledgeCancel',
      'cancelled',
      job,
      { code: 'cancelled', message: 'Cancelled', retryable: false },
      now,
    ),
    expect: { status: ['cancelling'], ...run(job) },
  };
}

/** running at `epoch` → retrying; the same message comes back after `delaySeconds` (its visibility). */
export function scheduleRetry(job: Job, error: JobErrorInfo, now: Date, delaySeconds: number): Transition {
  return {
    name: 'scheduleRetry',
    expect: { status: ['running'], ...run(job) },
    set: {
      status: 'retrying',
      error: boundedError(error),
      queuedAt: new Date(now.getTime() + delaySeconds * 1000).toISOString(),
      executionTimeMs: ms(job.startedAt, now),
    },
  };
}

export type FailureOutcome =
  | { kind: 'retry'; transition: Transition; delaySeconds: number }
  | { kind: 'fail' | 'dead' | 'cancelled'; transition: Transition };

/**
 * What a failed run leads to. A cancel request wins over everything; a permanent error fails the job;
 * a retryable one is retried with full-jitter backoff while `attempt <= maxRetries`, then the job is dead.
 */
export function decideFailure(
  job: Job,
  error: JobError,
  now: Date,
  options: { capSeconds?: number; random?: () => number } = {},
): FailureOutcome {
  if (job.status === 'cancelling') return { kind: 'cancelled', transition: acknowledgeCancel(job, now) };
  const info = errorInfo(error);
  if (!error.retryable) return { kind: 'fail', transition: fail(job, info, now) };
  const runs = runsInBudget(job);
  if (runs > job.maxRetries) {
    const exhausted = { ...info, message: gaveUp(info.message, runs) };
    // The contract: a timeout with no retries left is `failed`; other exhausted retries are `dead`.
    if (error.code === 'timeout') return { kind: 'fail', transition: fail(job, exhausted, now) };
    return { kind: 'dead', transition: bury(job, exhausted, now) };
  }
  const delaySeconds = fullJitterBackoff(runs, { baseSeconds: job.retryDelaySeconds, ...options });
  return { kind: 'retry', transition: scheduleRetry(job, info, now, delaySeconds), delaySeconds };
}

/**
 * The result of applying a transition locally; the store returns the same from its conditional write. Of a
 * snapshot (core/job-snapshot.ts), the snapshot's fields after the write.
 */
export function applied<T extends Pick<Job, 'seq'>>(job: T, transition: Transition): T {
  return { ...job, ...transition.set, seq: job.seq + 1 };
}

export function allows(
  job: Pick<Job, 'status' | 'epoch' | 'attempt' | 'handoffAt' | 'seq'>,
  transition: Transition,
): boolean {
  const { status, epoch, attempt, handedOff, seq } = transition.expect;
  return (
    status.includes(job.status) &&
    (epoch === undefined || epoch === job.epoch) &&
    (attempt === undefined || attempt === job.attempt) &&
    (handedOff === undefined || handedOff === (job.handoffAt !== undefined)) &&
    (seq === undefined || seq === job.seq)
  );
}
