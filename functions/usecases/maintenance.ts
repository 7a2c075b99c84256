/**
 * The maintenance sweep (`POST /admin/recover`, and part by part the every-minute run: scheduled-sweep.ts,
 * which also reads the dead-letter queues and skips what is empty): recover jobs whose worker died,
 * dispatch scheduled jobs that are due, re-send jobs whose message was lost, and move jobs close to their
 * deadline up a tier. Every query goes through an index and reads only the jobs concerned. A paused tier's
 * queued jobs are neither re-sent (their messages are not lost, just not received) nor moved to another
 * tier (nothing of a paused tier starts until it is resumed).
 */
import type { Logger } from '../agents/registry.ts';
import type { Clock } from '../core/clock.ts';
import { recoverStale, redispatch, release } from '../core/control-transitions.ts';
import { isTerminal, type Job, type JobStatus } from '../core/job.ts';
import { resendLost } from '../core/lost-messages.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { resendHandoff } from '../core/step-transitions.ts';
import { ALL_RUNNING, type TierControlStore, type TierStates } from '../core/tier-control.ts';
import { higherTier } from '../core/tiers.ts';
import { cleanupWithin } from './cleanup.ts';
import { settleFromParents } from './dependencies.ts';
import { runDueSchedules, type ScheduleRunDeps } from './schedules/run-schedules.ts';
import { MAX_SQS_DELAY_SECONDS } from './submit-job.ts';
import { FULL_SWEEP, type SweepPlan } from './sweep-plan.ts';

export interface MaintenanceDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  /** The stored tier states (read once per run); every tier counts as running without it. */
  tiers?: Pick<TierControlStore, 'read'>;
  /**
   * Every queued message is known to be gone (the local SQS emulator, in memory, restarted): paused tiers'
   * jobs are re-sent too, into their paused queues.
   */
  allMessagesLost?: boolean;
  /** A running job without a heartbeat for this long is presumed dead. */
  staleAfterMs: number;
  /** A queued job older than this may have lost its message; it is re-sent under a new epoch. */
  lostAfterMs: number;
  /** Jobs whose deadline is closer than this are moved up a tier. */
  deadlineUrgencyMs: number;
  /**
   * Jobs past their deadline by more than this are no longer read for promotion (default
   * OVERDUE_WINDOW_MS): overdue jobs that never finish are handled for a while, not re-read forever.
   */
  overdueWindowMs?: number;
  /**
   * True once the invocation nears its timeout: the sweep stops starting work (every step is a
   * conditional write, so the next run, a minute later, simply goes on from the index).
   */
  outOfTime?: () => boolean;
  /** Schedules whose jobs are due (the scheduled maintenance run and `POST /admin/recover` start them). */
  schedules?: Pick<ScheduleRunDeps, 'schedules' | 'submit'> | undefined;
}

export interface RecoveryReport {
  /**
   * Stale running jobs requeued (or ended), lost messages re-sent, and pending jobs settled because
   * all their dependencies had ended (a lost stream record).
   */
  recovered: number;
  /** Scheduled jobs dispatched because they are due. */
  dispatched: number;
  /** Jobs moved up a tier because their deadline is near. */
  promoted: number;
  /** Jobs started by schedules that were due. */
  scheduled: number;
}

/** Pending jobs whose dependencies a run checks at most (oldest first; the rest wait for later runs). */
export const MAX_PENDING_CHECKED = 200;

const PAGE = 100;
/** How long after its deadline a still-queued job is promoted; older ones are left out of each run. */
export const OVERDUE_WINDOW_MS = 60 * 60 * 1000;

export async function recover(deps: MaintenanceDeps): Promise<RecoveryReport> {
  const scheduled = await startDueSchedules(deps);
  return { ...(await recoverPlanned(deps, FULL_SWEEP)), scheduled };
}

/** Starts the jobs of due schedules: first in a run, as they are due within the minute. */
export async function startDueSchedules(deps: MaintenanceDeps): Promise<number> {
  if (!deps.schedules) return 0;
  return runDueSchedules({
    ...deps.schedules,
    clock: deps.clock,
    logger: deps.logger,
    outOfTime: deps.outOfTime,
  });
}

/** The recovery parts of a run, each only when the plan says it may have jobs to look at. */
export async function recoverPlanned(
  deps: MaintenanceDeps,
  plan: SweepPlan,
): Promise<Omit<RecoveryReport, 'scheduled'>> {
  const report = { recovered: 0, dispatched: 0, promoted: 0 };
  if (plan.stale) report.recovered += await recoverStaleRuns(deps);
  if (plan.scheduled) report.dispatched += await dispatchDueJobs(deps);
  if (plan.lost || plan.urgent) {
    const tiers = (await deps.tiers?.read()) ?? ALL_RUNNING;
    if (plan.lost) report.recovered += await resendLostMessages(deps, tiers);
    if (plan.urgent) report.promoted += await promoteUrgentJobs(deps, tiers);
  }
  if (plan.pending) report.recovered += await settleOrphanedDependants(deps);
  return report;
}

/** The jobs in a status up to `until`, page by page; ends early once the time budget is spent. */
async function* jobsIn(
  deps: Pick<MaintenanceDeps, 'store' | 'outOfTime'>,
  status: JobStatus,
  until: Date,
): AsyncGenerator<Job> {
  const { store } = deps;
  let cursor: string | undefined;
  do {
    if (deps.outOfTime?.()) return;
    const page = await store.listByStatus(status, { until: until.toISOString(), limit: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function recoverStaleRuns(deps: MaintenanceDeps): Promise<number> {
  const now = deps.clock.now();
  const staleBefore = now.getTime() - deps.staleAfterMs;
  let count = 0;
  for (const status of ['running', 'cancelling'] as const) {
    // Started before the threshold (index order); only those whose heartbeat is also old are stale.
    for await (const job of jobsIn(deps, status, new Date(staleBefore))) {
      // A job between two invocations is not dead: its message may be lost, never its worker.
      if (job.handoffAt !== undefined && job.status === 'running') {
        if (await resendHandedOff(deps, job, now)) count += 1;
        continue;
      }
      const beat = new Date(job.heartbeatAt ?? job.startedAt ?? job.createdAt).getTime();
      if (beat > staleBefore) continue;
      const next = await deps.store.apply(job, recoverStale(job, now));
      if (!next) continue;
      count += 1;
      deps.logger.warn('recovered a stale job', { jobId: job.id, status: next.status, attempt: job.attempt });
      if (next.status === 'queued') await deps.dispatcher.dispatch(next);
    }
  }
  return count;
}

/** Re-sends the message of a handed-off job nobody resumed in time (core/step-transitions.ts). */
async function resendHandedOff(deps: MaintenanceDeps, job: Job, now: Date): Promise<boolean> {
  const transition = resendHandoff(job, now, deps.lostAfterMs);
  if (!transition) return false;
  const next = await deps.store.apply(job, transition);
  if (!next) return false;
  deps.logger.warn('re-sent the message of a continuing job', { jobId: job.id, status: next.status });
  if (next.status === 'running') await deps.dispatcher.dispatch(next);
  return true;
}

async function dispatchDueJobs(deps: MaintenanceDeps): Promise<number> {
  const now = deps.clock.now();
  // Everything due within the SQS delay window goes out now, with the remaining time as message delay:
  // a job scheduled for next week runs within seconds of its time even though this runs once a minute.
  const horizon = new Date(now.getTime() + (MAX_SQS_DELAY_SECONDS - 60) * 1000);
  let count = 0;
  for await (const job of jobsIn(deps, 'scheduled', horizon)) {
    const next = await deps.store.apply(job, release(job, now));
    if (!next) continue;
    const delaySeconds = Math.max(
      0,
      Math.ceil((new Date(job.runAt ?? now).getTime() - now.getTime()) / 1000),
    );
    await deps.dispatcher.dispatch(next, { delaySeconds });
    count += 1;
  }
  return count;
}

async function resendLostMessages(deps: MaintenanceDeps, tiers: TierStates): Promise<number> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - deps.lostAfterMs);
  let count = 0;
  for (const status of ['queued', 'retrying'] as const) {
    for await (const job of jobsIn(deps, status, before)) {
      const tier = deps.allMessagesLost ? undefined : tiers[job.tier];
      const transition = resendLost(job, now, deps.lostAfterMs, tier);
      if (!transition) continue;
      const next = await deps.store.apply(job, transition);
      if (!next) continue;
      if (next.status === 'dead') {
        deps.logger.error('gave up re-sending a job nobody claims', { jobId: job.id, resends: job.resends });
        count += 1;
        continue;
      }
      const dueIn = Math.ceil((new Date(next.queuedAt ?? now).getTime() - now.getTime()) / 1000);
      await deps.dispatcher.dispatch(next, {
        delaySeconds: Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, dueIn)),
      });
      count += 1;
    }
  }
  return count;
}

/**
 * Pending jobs normally move when their last dependency ends (the dependencies stream consumer). If that
 * record was lost, they would wait forever: every run checks the pending jobs older than `lostAfterMs`
 * (at most MAX_PENDING_CHECKED, through the sparse `byStatus` waiting entries) and settles those whose
 * dependencies all ended.
 */
async function settleOrphanedDependants(deps: MaintenanceDeps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.lostAfterMs);
  let checked = 0;
  let settled = 0;
  for await (const job of jobsIn(deps, 'pending', before)) {
    if (++checked > MAX_PENDING_CHECKED) break;
    const outcome = await settleFromParents(deps, job);
    if (!outcome) continue;
    settled += 1;
    deps.logger.warn('settled a pending job whose dependencies had all ended', { jobId: job.id, outcome });
  }
  return settled;
}

async function promoteUrgentJobs(deps: MaintenanceDeps, tiers: TierStates): Promise<number> {
  const now = deps.clock.now();
  let count = 0;
  for await (const job of urgentJobs(deps, now)) {
    if (job.status !== 'queued' || job.tier === 'critical' || isTerminal(job.status)) continue;
    // Out of a paused tier it would start at once; into one it would only wait elsewhere.
    if (tiers[job.tier].paused || tiers[higherTier(job.tier)].paused) continue;
    const next = await deps.store.apply(job, redispatch(job, now, { tier: higherTier(job.tier) }));
    if (!next) continue;
    await deps.dispatcher.dispatch(next);
    count += 1;
  }
  return count;
}

/**
 * Active jobs whose deadline is within the urgency window, read through the sparse deadline index: only
 * the window from `overdueWindowMs` before now to the urgency horizon, so each run reads a bounded slice
 * and jobs long past their deadline (which stay in the index for the statistics) are not re-read forever.
 */
async function* urgentJobs(deps: MaintenanceDeps, now: Date): AsyncGenerator<Job> {
  const until = new Date(now.getTime() + deps.deadlineUrgencyMs).toISOString();
  const since = new Date(now.getTime() - (deps.overdueWindowMs ?? OVERDUE_WINDOW_MS)).toISOString();
  let cursor: string | undefined;
  do {
    if (deps.outOfTime?.()) return;
    const page = await deps.store.listByDeadline({ since, until, limit: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Retention without a time budget: deletes terminal jobs that ended more than `days` ago (see
 * cleanup.ts for the budgeted, resumable form the handlers use). Returns how many were deleted.
 */
export async function cleanup(deps: Pick<MaintenanceDeps, 'store' | 'clock'>, days: number): Promise<number> {
  return (await cleanupWithin(deps, { days })).deleted;
}
