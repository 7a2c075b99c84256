/**
 * Event-driven dependency release, fed by the jobs table stream: when a job reaches a terminal status, its
 * dependants are queued (all their dependencies completed) or failed with `dependency_failed` (this one
 * did not complete). Failing a dependant is itself a terminal change, so failure spreads transitively.
 */
import type { Clock } from '../core/clock.ts';
import { isTerminal, type Job } from '../core/job.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { failDependant, releaseDependant } from '../core/transitions.ts';
import { MAX_SQS_DELAY_SECONDS } from './submit-job.ts';

export interface DependencyDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  clock: Clock;
}

/** Whether a change (old → new image) is the moment a job finished. */
export const justFinished = (before: Job | undefined, after: Job | undefined): after is Job =>
  after !== undefined && isTerminal(after.status) && (before === undefined || !isTerminal(before.status));

export async function settleDependants(
  deps: DependencyDeps,
  parent: Job,
): Promise<{ released: number; failed: number }> {
  const counts = { released: 0, failed: 0 };
  for (const childId of await deps.store.listDependants(parent.id)) {
    const child = await deps.store.get(childId);
    if (child?.status !== 'pending') continue;
    const now = deps.clock.now();
    if (parent.status !== 'completed') {
      if (await deps.store.apply(child, failDependant(child, parent.id, parent.status, now)))
        counts.failed += 1;
      continue;
    }
    const others = await Promise.all(
      child.dependsOn.filter((id) => id !== parent.id).map((id) => deps.store.get(id)),
    );
    const failedOther = others.find(
      (other) => other && ['failed', 'dead', 'cancelled'].includes(other.status),
    );
    if (failedOther) {
      if (await deps.store.apply(child, failDependant(child, failedOther.id, failedOther.status, now)))
        counts.failed += 1;
      continue;
    }
    // Still waiting for another dependency: that one's completion will release the child.
    if (others.some((other) => other?.status !== 'completed')) continue;
    const next = await deps.store.apply(
      child,
      releaseDependant(child, now, (MAX_SQS_DELAY_SECONDS - 60) * 1000),
    );
    if (!next) continue;
    counts.released += 1;
    if (next.status === 'queued') {
      const delaySeconds = Math.max(
        0,
        Math.ceil((new Date(next.queuedAt ?? now).getTime() - now.getTime()) / 1000),
      );
      await deps.dispatcher.dispatch(next, { delaySeconds });
    }
  }
  return counts;
}
