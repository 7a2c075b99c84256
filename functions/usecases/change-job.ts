/**
 * User-driven changes of a job: cancel, and retry after a failure. Each re-reads and re-applies when a
 * concurrent change (say the worker finishing) moves the job first, so the answer reflects what happened.
 */
import type { Clock } from '../core/clock.ts';
import { cancelWaiting, requestCancel, requeue } from '../core/control-transitions.ts';
import { NotCancellableError, NotRetryableError } from '../core/errors.ts';
import { isTerminal, type Job } from '../core/job.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { cancelHandedOff } from '../core/step-transitions.ts';
import { getOwnJob } from './read-jobs.ts';

export interface ChangeDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  clock: Clock;
}

const ATTEMPTS = 5;

/** Cancels a waiting job at once; asks a running one to stop (`cancelling`). Terminal jobs: 409. */
export async function cancelJob(
  deps: Pick<ChangeDeps, 'store' | 'clock'>,
  userId: string,
  id: string,
): Promise<Job> {
  let job = await getOwnJob(deps.store, userId, id);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (isTerminal(job.status)) throw new NotCancellableError(job.status);
    if (job.status === 'cancelling') return job;
    const transition = cancelTransition(job, deps.clock.now());
    const next = await deps.store.apply(job, transition);
    if (next) return next;
    job = await getOwnJob(deps.store, userId, id);
  }
  throw new Error(`job ${id} kept changing while being cancelled`);
}

/** Waiting, or handed off between two invocations (nobody runs it): cancelled now; running: asked to stop. */
const cancelTransition = (job: Job, now: Date) => {
  if (job.status !== 'running') return cancelWaiting(job, now);
  return job.handoffAt !== undefined ? cancelHandedOff(job, now) : requestCancel(job);
};

/** Requeues a failed, dead or cancelled job with a fresh attempt budget. Anything else: 409. */
export async function retryJob(deps: ChangeDeps, userId: string, id: string): Promise<Job> {
  const job = await getOwnJob(deps.store, userId, id);
  const next = await requeueJob(deps, job);
  if (!next) throw new NotRetryableError((await deps.store.get(id))?.status ?? job.status);
  return next;
}

/** The shared requeue of the retry route and the admin redrive; null when the job is not requeueable. */
export async function requeueJob(deps: ChangeDeps, job: Job): Promise<Job | null> {
  if (!['failed', 'dead', 'cancelled'].includes(job.status)) return null;
  const next = await deps.store.apply(job, requeue(job, deps.clock.now()));
  if (next) await deps.dispatcher.dispatch(next);
  return next;
}

/** Admin redrive: requeue dead jobs by id (of any user), or every dead job. Returns how many. */
export async function redriveDead(
  deps: ChangeDeps,
  request: { jobIds: string[] } | { all: true },
): Promise<number> {
  let requeued = 0;
  const requeueDead = async (job: Job | null) => {
    if (job?.status === 'dead' && (await requeueJob(deps, job))) requeued += 1;
  };
  if ('jobIds' in request) {
    for (const id of new Set(request.jobIds)) await requeueDead(await deps.store.get(id));
    return requeued;
  }
  let cursor: string | undefined;
  do {
    const page = await deps.store.listByStatus('dead', { limit: 100, cursor });
    for (const job of page.items) await requeueDead(job);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return requeued;
}
