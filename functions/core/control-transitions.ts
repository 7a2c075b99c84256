/**
 * The transitions that operators, maintenance and the dependency resolver make (cancel, retry, recovery,
 * release, dead-lettering), as pure functions returning a `Transition` (see transitions.ts). No I/O.
 */
import type { Job, JobErrorInfo, JobStatus } from './job.ts';
import { acknowledgeCancel, bury, gaveUp, runsInBudget, type Transition } from './transitions.ts';

const CANCELLED: JobErrorInfo = { code: 'cancelled', message: 'Cancelled', retryable: false };

/** running → cancelling: the worker notices at its next heartbeat and stops the agent. */
export function requestCancel(job: Job): Transition {
  return {
    name: 'requestCancel',
    expect: { status: ['running'], epoch: job.epoch },
    set: { status: 'cancelling' },
  };
}

/**
 * pending|scheduled|queued|retrying → cancelled at once. The epoch moves on, so a message still in the
 * queue finds nothing to claim.
 */
export function cancelWaiting(job: Job, now: Date): Transition {
  return {
    name: 'cancelWaiting',
    expect: { status: ['pending', 'scheduled', 'queued', 'retrying'] },
    set: { status: 'cancelled', error: CANCELLED, completedAt: now.toISOString(), epoch: job.epoch + 1 },
  };
}

/**
 * failed|dead|cancelled → queued with a fresh retry budget and a new epoch (retry route, redrive).
 * `attempt` keeps counting runs started; the budget starts over from here (`retryBase`).
 */
export function requeue(job: Job, now: Date): Transition {
  return {
    name: 'requeue',
    expect: { status: ['failed', 'dead', 'cancelled'] },
    set: {
      status: 'queued',
      epoch: job.epoch + 1,
      dispatchedAt: now.toISOString(),
      retryBase: job.attempt,
      result: null,
      error: null,
      progress: { percent: 0, stage: null, message: null },
      queuedAt: now.toISOString(),
      startedAt: null,
      heartbeatAt: null,
      completedAt: null,
      queueTimeMs: null,
      executionTimeMs: null,
    },
  };
}

/**
 * running|cancelling at `epoch` whose heartbeat went stale (the worker died): a cancel request is honoured,
 * a job out of retries is dead, anything else is queued again under a new epoch.
 */
export function recoverStale(job: Job, now: Date): Transition {
  const lost: JobErrorInfo = {
    code: 'worker_lost',
    message: 'The worker running this job stopped responding',
    retryable: true,
  };
  if (job.status === 'cancelling') return acknowledgeCancel(job, now);
  if (runsInBudget(job) > job.maxRetries) {
    return {
      ...bury(job, { ...lost, message: gaveUp(lost.message, runsInBudget(job)) }, now),
      name: 'recoverStale',
    };
  }
  return {
    name: 'recoverStale',
    expect: { status: ['running'], epoch: job.epoch },
    set: {
      status: 'queued',
      error: lost,
      epoch: job.epoch + 1,
      queuedAt: now.toISOString(),
      dispatchedAt: now.toISOString(),
    },
  };
}

/** scheduled → queued when its time has (nearly) come; the dispatcher sends it with the remaining delay. */
export function release(job: Job, now: Date): Transition {
  return {
    name: 'release',
    expect: { status: ['scheduled'], epoch: job.epoch },
    set: { status: 'queued', queuedAt: job.runAt ?? now.toISOString(), dispatchedAt: now.toISOString() },
  };
}

/** pending → queued (or scheduled, if its start is far off): every dependency completed. */
export function releaseDependant(job: Job, now: Date, scheduleAfterMs: number): Transition {
  const startsAt = job.runAt ? new Date(job.runAt) : now;
  const later = startsAt.getTime() - now.getTime() > scheduleAfterMs;
  return {
    name: 'releaseDependant',
    expect: { status: ['pending'], epoch: job.epoch },
    set: later
      ? { status: 'scheduled' }
      : {
          status: 'queued',
          queuedAt: (startsAt > now ? startsAt : now).toISOString(),
          dispatchedAt: now.toISOString(),
        },
  };
}

/** pending → failed: a dependency ended failed, dead or cancelled. */
export function failDependant(job: Job, parentId: string, parentStatus: JobStatus, now: Date): Transition {
  return {
    name: 'failDependant',
    expect: { status: ['pending'] },
    set: {
      status: 'failed',
      error: {
        code: 'dependency_failed',
        message: `Dependency ${parentId} ended ${parentStatus}`,
        retryable: false,
      },
      completedAt: now.toISOString(),
      epoch: job.epoch + 1,
    },
  };
}

/** queued|retrying at `epoch`: a new epoch for a message that may have been lost, or a move up a tier. */
export function redispatch(job: Job, now: Date, changes: Partial<Pick<Job, 'tier'>> = {}): Transition {
  return {
    name: changes.tier ? 'promote' : 'redispatch',
    expect: { status: ['queued', 'retrying'], epoch: job.epoch },
    set: { epoch: job.epoch + 1, dispatchedAt: now.toISOString(), ...changes },
  };
}

/** Any non-terminal status at `epoch` → dead: SQS gave up on the job's message (dead-letter queue). */
export function deadLetter(job: Job, receiveCount: number, now: Date): Transition {
  return {
    name: 'deadLetter',
    expect: { status: ['queued', 'retrying', 'running', 'cancelling'], epoch: job.epoch },
    set: {
      status: job.status === 'cancelling' ? 'cancelled' : 'dead',
      error:
        job.status === 'cancelling'
          ? CANCELLED
          : {
              code: 'dead_lettered',
              message: `The job's message was received ${receiveCount} times without an outcome being recorded (the worker kept crashing or timing out); it was moved to the dead-letter queue`,
              retryable: false,
            },
      completedAt: now.toISOString(),
    },
  };
}
