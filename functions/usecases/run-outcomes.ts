/**
 * How a run's outcome is written (./run-job.ts): a failure by the job's retry rules, a final transition, and
 * what to do when that write lost its precondition.
 */
import type { JobError } from '../core/errors.ts';
import type { Job } from '../core/job.ts';
import { acknowledgeCancel, boundedProgress, decideFailure, type Transition } from '../core/transitions.ts';
import type { RunJobDeps, RunOutcome } from './run-job.ts';

/** A final transition that also writes the last reported progress. */
export const withProgress = (transition: Transition, progress: Job['progress'] | undefined): Transition =>
  progress ? { ...transition, set: { progress: boundedProgress(progress), ...transition.set } } : transition;

export async function recordFailure(
  deps: RunJobDeps,
  job: Job,
  error: JobError,
  progress?: Job['progress'],
): Promise<RunOutcome> {
  const decision = decideFailure(job, error, deps.clock.now(), {
    ...(deps.backoffCapSeconds !== undefined && { capSeconds: deps.backoffCapSeconds }),
    ...(deps.random && { random: deps.random }),
  });
  const next = await deps.store.apply(job, withProgress(decision.transition, progress));
  if (!next) return reread(deps, job);
  if (decision.kind === 'retry') return { kind: 'retry', job: next, delaySeconds: decision.delaySeconds };
  return { kind: 'finished', job: next };
}

export async function finishWith(deps: RunJobDeps, job: Job, transition: Transition): Promise<RunOutcome> {
  const next = await deps.store.apply(job, transition);
  return next ? { kind: 'finished', job: next } : reread(deps, job);
}

/**
 * A final write lost its precondition. If a cancel request arrived in between, honour it;
 * otherwise someone else owns the job now, and this message has nothing left to do.
 */
export async function reread(deps: RunJobDeps, job: Job): Promise<RunOutcome> {
  const latest = await deps.store.get(job.id);
  const sameRun = latest?.epoch === job.epoch && latest.attempt === job.attempt;
  if (latest && sameRun && latest.status === 'cancelling') {
    return finishWith(deps, latest, acknowledgeCancel(latest, deps.clock.now()));
  }
  return { kind: 'dropped', reason: `job changed underneath (${latest?.status ?? 'deleted'})` };
}
