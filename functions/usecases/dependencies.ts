/**
 * Event-driven dependency release, fed by the jobs table stream: when a job reaches a terminal status, its
 * dependants are queued (all their dependencies completed) or failed with `dependency_failed` (this one
 * did not complete). Failing a dependant is itself a terminal change, so failure spreads transitively.
 *
 * Bounded work: dependants are settled in chunks of DEPENDANT_CHUNK at once, and between chunks the
 * invocation's time budget is checked. Out of time, `FanOutUnfinishedError` is thrown: the stream retries the
 * record, and the retry skips the dependants already settled (they are no longer `pending`), so each
 * attempt makes progress and a parent with thousands of dependants is settled over a few invocations.
 */
import type { Clock } from '../core/clock.ts';
import { failDependant, releaseDependant } from '../core/control-transitions.ts';
import { isTerminal, type Job } from '../core/job.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { MAX_SQS_DELAY_SECONDS } from './submit-job.ts';

export interface DependencyDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  clock: Clock;
  /** True when the invocation should stop starting work (time-budget.ts); never by default. */
  outOfTime?: () => boolean;
}

/** Dependants settled concurrently. */
export const DEPENDANT_CHUNK = 25;

/** The time budget ran out with dependants left; the stream record is retried and resumes. */
export class FanOutUnfinishedError extends Error {
  override readonly name = 'FanOutUnfinishedError';
  constructor(parentId: string, settled: number, left: number) {
    super(`settled ${settled} dependants of ${parentId}; ${left} left for the retry`);
  }
}

/** Whether a change (old → new image) is the moment a job finished. */
export const justFinished = (before: Job | undefined, after: Job | undefined): after is Job =>
  after !== undefined && isTerminal(after.status) && (before === undefined || !isTerminal(before.status));

export async function settleDependants(
  deps: DependencyDeps,
  parent: Job,
): Promise<{ released: number; failed: number }> {
  const counts = { released: 0, failed: 0 };
  const childIds = await deps.store.listDependants(parent.id);
  for (let start = 0; start < childIds.length; start += DEPENDANT_CHUNK) {
    if (start > 0 && deps.outOfTime?.())
      throw new FanOutUnfinishedError(parent.id, start, childIds.length - start);
    const chunk = childIds.slice(start, start + DEPENDANT_CHUNK);
    const outcomes = await Promise.all(chunk.map((childId) => settleOne(deps, parent, childId)));
    for (const outcome of outcomes) if (outcome) counts[outcome] += 1;
  }
  return counts;
}

/** Settles one dependant; what became of it, or null when nothing changed. */
async function settleOne(
  deps: DependencyDeps,
  parent: Job,
  childId: string,
): Promise<'released' | 'failed' | null> {
  const child = await deps.store.get(childId);
  if (child?.status !== 'pending') return null;
  const now = deps.clock.now();
  if (parent.status !== 'completed') {
    return (await deps.store.apply(child, failDependant(child, parent.id, parent.status, now)))
      ? 'failed'
      : null;
  }
  const others = await Promise.all(
    child.dependsOn.filter((id) => id !== parent.id).map((id) => deps.store.get(id)),
  );
  const failedOther = others.find((other) => other && ['failed', 'dead', 'cancelled'].includes(other.status));
  if (failedOther) {
    return (await deps.store.apply(child, failDependant(child, failedOther.id, failedOther.status, now)))
      ? 'failed'
      : null;
  }
  // Still waiting for another dependency: that one's completion will release the child.
  if (others.some((other) => other?.status !== 'completed')) return null;
  return releaseChild(deps, child, now);
}

/**
 * The fallback when a stream record was lost (maintenance): settles a pending job from its dependencies
 * as they are now. Failed when one ended otherwise than completed (or no longer exists: only ended jobs
 * are deleted), released when all completed; null while one is unfinished.
 */
export async function settleFromParents(
  deps: DependencyDeps,
  child: Job,
): Promise<'released' | 'failed' | null> {
  // A pending job always has dependencies; one without is not this fallback's to move.
  if (child.status !== 'pending' || child.dependsOn.length === 0) return null;
  const now = deps.clock.now();
  const parents = await Promise.all(
    child.dependsOn.map(async (id) => ({ id, job: await deps.store.get(id) })),
  );
  if (parents.some(({ job }) => job && !isTerminal(job.status))) return null;
  const failed = parents.find(({ job }) => job?.status !== 'completed');
  if (failed) {
    const transition = failDependant(child, failed.id, failed.job?.status ?? 'dead', now);
    if (!failed.job)
      transition.set.error = {
        code: 'dependency_failed',
        message: `Dependency ${failed.id} no longer exists`,
        retryable: false,
      };
    return (await deps.store.apply(child, transition)) ? 'failed' : null;
  }
  return releaseChild(deps, child, now);
}

async function releaseChild(deps: DependencyDeps, child: Job, now: Date): Promise<'released' | null> {
  const next = await deps.store.apply(
    child,
    releaseDependant(child, now, (MAX_SQS_DELAY_SECONDS - 60) * 1000),
  );
  if (!next) return null;
  if (next.status === 'queued') {
    const delaySeconds = Math.max(
      0,
      Math.ceil((new Date(next.queuedAt ?? now).getTime() - now.getTime()) / 1000),
    );
    await deps.dispatcher.dispatch(next, { delaySeconds });
  }
  return 'released';
}
