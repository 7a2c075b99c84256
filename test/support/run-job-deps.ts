/**
 * The worker's dependencies for tests that call `runJob` directly: a silent logger, heartbeats and progress
 * writes every second, a minute before a run counts as stale, no jitter in retry delays. Each test passes
 * its store, agents and clock, and anything it needs otherwise.
 */
import type { Job } from '../../functions/core/job.ts';
import { type RunJobDeps, type RunOutcome, runJob } from '../../functions/usecases/run-job.ts';
import { silentLogger } from './memory-store.ts';

export function testRunJobDeps(
  deps: Pick<RunJobDeps, 'store' | 'agents' | 'clock'> & Partial<RunJobDeps>,
): RunJobDeps {
  return {
    logger: silentLogger,
    heartbeatMs: 1000,
    staleAfterMs: 60_000,
    progressIntervalMs: 1000,
    random: () => 1,
    ...deps,
  };
}

/** Delivers the job's current message (what SQS would do, without a snapshot) and returns the outcome. */
export async function deliverCurrent(deps: RunJobDeps, id: string, budgetMs = 60_000): Promise<RunOutcome> {
  const job = (await deps.store.get(id)) as Job;
  return runJob(deps, { jobId: id, epoch: job.epoch }, { setVisibility: async () => undefined }, budgetMs);
}
