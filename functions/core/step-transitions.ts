/**
 * The transitions of durable steps and continuations (see transitions.ts for the shape). A continuation
 * keeps the job `running` under the same attempt: the invocation that runs short records `handoffAt` and a
 * new epoch (which fences it out) and sends the job's message again; the fresh invocation's message
 * resumes it, and only one copy of that message can (the resume requires `handoffAt` and removes it).
 * No I/O.
 */
import type { Job, JobErrorInfo, JobProgress } from './job.ts';
import { MAX_RESENDS } from './lost-messages.ts';
import { type StepRecord, withoutResults } from './steps.ts';
import { boundedProgress, bury, type Transition } from './transitions.ts';

/** The fencing token of the run that holds `job`. */
const run = (job: Pick<Job, 'epoch' | 'attempt'>) => ({ epoch: job.epoch, attempt: job.attempt });

/** running|cancelling at the run's epoch/attempt: writes the job's step records (the whole list). */
export function recordSteps(job: Job, steps: StepRecord[]): Transition {
  return {
    name: 'recordSteps',
    expect: { status: ['running', 'cancelling'], ...run(job) },
    set: { steps },
  };
}

/**
 * running at the run's epoch/attempt → still running, handed off: a new epoch (the current invocation is
 * fenced out), `continuations` + 1, `handoffAt` = now (so stale recovery knows nobody is meant to beat),
 * and the last progress. The caller then sends the job's message at the new epoch. A cancel request that
 * came first makes this fail; the caller then acknowledges the cancel instead.
 */
export function handOff(job: Job, now: Date, progress?: JobProgress): Transition {
  return {
    name: 'handOff',
    expect: { status: ['running'], ...run(job) },
    set: {
      epoch: job.epoch + 1,
      continuations: (job.continuations ?? 0) + 1,
      handoffAt: now.toISOString(),
      heartbeatAt: now.toISOString(),
      dispatchedAt: now.toISOString(),
      ...(progress && { progress: boundedProgress(progress) }),
    },
  };
}

/** running, handed off, at the message's epoch → held again by the invocation that received the message. */
export function resume(job: Pick<Job, 'epoch' | 'attempt' | 'resends'>, now: Date): Transition {
  return {
    name: 'resume',
    expect: { status: ['running'], ...run(job), handedOff: true },
    set: {
      handoffAt: undefined,
      heartbeatAt: now.toISOString(),
      ...(job.resends !== undefined && { resends: undefined }),
    },
  };
}

/** running, handed off → cancelled at once (no invocation holds it); the epoch moves on. */
export function cancelHandedOff(job: Job, now: Date): Transition {
  return {
    name: 'cancelHandedOff',
    expect: { status: ['running'], epoch: job.epoch, handedOff: true },
    set: {
      status: 'cancelled',
      error: { code: 'cancelled', message: 'Cancelled', retryable: false },
      completedAt: now.toISOString(),
      executionTimeMs: Math.max(0, now.getTime() - new Date(job.startedAt ?? now).getTime()),
      epoch: job.epoch + 1,
      handoffAt: undefined,
    },
  };
}

/**
 * A handed-off job whose message no invocation picked up within `lostAfterMs` (doubling with each
 * re-send, as for queued jobs in lost-messages.ts): its message is sent again under a new epoch, and after
 * MAX_RESENDS the job is dead. Never treated as a crashed run. Null when its message is not overdue.
 */
export function resendHandoff(job: Job, now: Date, lostAfterMs: number): Transition | null {
  if (job.handoffAt === undefined || job.status !== 'running') return null;
  const resends = job.resends ?? 0;
  const waitedMs = now.getTime() - new Date(job.handoffAt).getTime();
  if (waitedMs < lostAfterMs * 2 ** resends) return null;
  const expect = { status: ['running'] as const, ...run(job), handedOff: true };
  if (resends >= MAX_RESENDS) {
    const lost: JobErrorInfo = {
      code: 'message_lost',
      message: `The job's continuation message was re-sent ${resends} times without a worker resuming it`,
      retryable: false,
    };
    return { ...bury(job, lost, now), name: 'giveUpHandoff', expect };
  }
  return {
    name: 'resendHandoff',
    expect,
    set: {
      epoch: job.epoch + 1,
      handoffAt: now.toISOString(),
      dispatchedAt: now.toISOString(),
      resends: resends + 1,
    },
  };
}

/**
 * A `complete` transition that also writes the run's step records without their results: nothing replays a
 * completed job's steps, and their results make room for the job's own. The records come from the run
 * itself (not from a job read earlier, which a concurrent heartbeat's answer may have made stale).
 */
export function withFinalSteps(transition: Transition, steps: readonly StepRecord[]): Transition {
  if (steps.length === 0) return transition;
  return { ...transition, set: { ...transition.set, steps: withoutResults(steps) } };
}
