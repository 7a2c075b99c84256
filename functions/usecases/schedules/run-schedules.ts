/**
 * Starting the jobs of schedules: the every-minute sweep (due schedules, through the sparse due index) and
 * `POST /schedules/{id}/trigger`.
 *
 * At most one job per due time, even when two sweeps overlap or one is retried:
 * 1. the job is submitted with the idempotency key `schedule:<id>:<due time>` (core/schedule.ts), so a
 *    second submission for the same due time returns the first job instead of creating one;
 * 2. then one conditional write (on the version read) advances `nextRunAt` past now and records the run.
 * A sweep that dies between 1 and 2 leaves the schedule due: the next sweep submits the same key (getting
 * the same job back) and advances it. After downtime the schedule is due once, for all the times it missed:
 * one catch-up run, and `nextRunAt` moves to the first time after now.
 */
import type { Logger } from '../../agents/registry.ts';
import { submitJobSchema } from '../../api/submit-schemas.ts';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { isTerminal, type Job } from '../../core/job.ts';
import { type Schedule, scheduledRunKey } from '../../core/schedule.ts';
import type { ScheduleStore } from '../../core/schedule-ports.ts';
import { nextRunAfter, parseTimetable } from '../../core/timetable.ts';
import * as z from '../../core/zod.ts';
import { type Submission, type SubmitDeps, submitJob } from '../submit-job.ts';
import { getOwnSchedule } from './manage-schedules.ts';

export interface ScheduleRunDeps {
  schedules: ScheduleStore;
  /** Submits the jobs (its store is also where the previous job's status is read). */
  submit: SubmitDeps;
  clock: Clock;
  logger: Logger;
  /** True once the invocation nears its timeout: the sweep stops; the next one goes on. */
  outOfTime?: (() => boolean) | undefined;
}

const PAGE = 50;
const MAX_RECORD_ATTEMPTS = 5;

/** What the sweep did with one due schedule. */
export type SweepOutcome = 'started' | 'skipped' | 'already-started' | 'refused' | 'changed';

/** Runs every schedule due now; returns how many jobs it started. One failing schedule does not stop the rest. */
export async function runDueSchedules(deps: ScheduleRunDeps): Promise<number> {
  const now = deps.clock.now();
  let started = 0;
  let cursor: string | undefined;
  do {
    if (deps.outOfTime?.()) break;
    const page = await deps.schedules.listDue(now.toISOString(), { limit: PAGE, cursor });
    for (const schedule of page.items) {
      if (deps.outOfTime?.()) return started;
      try {
        if ((await runDue(deps, schedule, now)) === 'started') started += 1;
      } catch (error) {
        // Still due: the next sweep tries again with the same idempotency key.
        deps.logger.error('a due schedule could not be run; the next sweep retries', {
          scheduleId: schedule.id,
          error,
        });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return started;
}

/**
 * Precondition: `schedule` (as read) is unpaused and due at `nextRunAt` <= now. Starts its job for that due
 * time unless `overlap: "skip"` and its previous job is unfinished, then advances `nextRunAt` past now.
 */
export async function runDue(deps: ScheduleRunDeps, schedule: Schedule, now: Date): Promise<SweepOutcome> {
  const dueAt = schedule.nextRunAt;
  if (schedule.paused || dueAt === null || dueAt > now.toISOString()) return 'changed';
  const parsed = parseTimetable(schedule);
  const next =
    'timetable' in parsed ? nextRunAfter(parsed.timetable, now, new Date(schedule.anchorAt)) : null;
  const advance = { dueAt, nextRunAt: next?.toISOString() ?? null };
  if (schedule.overlap === 'skip' && (await previousUnfinished(deps, schedule))) {
    deps.logger.info('skipped a due time: the previous job is unfinished', {
      scheduleId: schedule.id,
      dueAt,
    });
    return (await record(deps, schedule, advance, now)) ? 'skipped' : 'changed';
  }
  let submission: Submission;
  try {
    submission = await submitFor(deps.submit, schedule, scheduledRunKey(schedule.id, dueAt));
  } catch (error) {
    // A refusal (agent removed, quota reached, the job changed since a first sweep submitted it) is not
    // fixed by trying again each minute: this due time is given up, the timetable goes on.
    if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
    deps.logger.warn('a schedule could not start its job; this due time is skipped', {
      scheduleId: schedule.id,
      dueAt,
      code: error.code,
      message: error.message,
    });
    return (await record(deps, schedule, advance, now)) ? 'refused' : 'changed';
  }
  const written = await record(deps, schedule, { ...advance, job: submission }, now);
  if (!submission.created) return 'already-started';
  return written ? 'started' : 'changed';
}

/** Runs the schedule's job now, outside its timetable (whatever `overlap` and `paused` say). */
export async function triggerSchedule(deps: ScheduleRunDeps, userId: string, id: string): Promise<Job> {
  const schedule = await getOwnSchedule(deps.schedules, userId, id);
  const { job } = await submitFor(deps.submit, schedule, undefined);
  await record(deps, schedule, { job: { job, created: true } }, deps.clock.now());
  return job;
}

async function previousUnfinished(deps: ScheduleRunDeps, schedule: Schedule): Promise<boolean> {
  if (!schedule.lastJobId) return false;
  const previous = await deps.submit.store.get(schedule.lastJobId);
  return previous !== null && !isTerminal(previous.status);
}

function submitFor(deps: SubmitDeps, schedule: Schedule, idempotencyKey: string | undefined) {
  // The submission schema fills the same defaults as POST /jobs.
  const input = z.parse(submitJobSchema, {
    ...schedule.job,
    ...(idempotencyKey && { idempotencyKey }),
  });
  return submitJob(deps, { userId: schedule.userId, isAdmin: schedule.admin === true }, input, {
    scheduleId: schedule.id,
  });
}

/**
 * One conditional write: advances `nextRunAt` if the schedule is still due at `dueAt`, and records a job
 * this call created as the last run. On a concurrent change it re-reads and tries again; false when there
 * was nothing left to write (another sweep advanced it, or the schedule is gone).
 */
async function record(
  deps: ScheduleRunDeps,
  read: Schedule,
  change: { dueAt?: string; nextRunAt?: string | null; job?: Submission },
  now: Date,
): Promise<boolean> {
  let current: Schedule | null = read;
  for (let attempt = 1; current && attempt <= MAX_RECORD_ATTEMPTS; attempt++) {
    const advances = change.dueAt !== undefined && current.nextRunAt === change.dueAt && !current.paused;
    // A job this call created, or one a sweep that died before this write created (the schedule is still due).
    const records =
      change.job !== undefined &&
      (change.job.created || advances) &&
      (current.lastRunAt ?? '') <= now.toISOString();
    if (!advances && !records) return false;
    const next: Schedule = {
      ...current,
      ...(advances && { nextRunAt: change.nextRunAt ?? null }),
      ...(records && change.job && { lastRunAt: now.toISOString(), lastJobId: change.job.job.id }),
      version: current.version + 1,
    };
    if (await deps.schedules.replace(next, current.version)) return true;
    current = await deps.schedules.get(read.userId, read.id);
  }
  return false;
}
