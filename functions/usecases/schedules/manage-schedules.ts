/**
 * Creating, reading, changing and deleting a user's schedules. Another user's schedule is indistinguishable
 * from a missing one. Every change recomputes `nextRunAt` (null while paused) and is one conditional write
 * on the version read, retried on a concurrent change (say a sweep advancing the same schedule).
 */
import { randomUUID } from 'node:crypto';
import type { AgentRegistry } from '../../agents/registry.ts';
import type { CreateScheduleInput, UpdateScheduleInput } from '../../api/schedule-schemas.ts';
import type { Clock } from '../../core/clock.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { INLINE_PARAMS_BYTES } from '../../core/limits.ts';
import type { Page } from '../../core/ports.ts';
import type { Schedule, ScheduledJob } from '../../core/schedule.ts';
import type { ScheduleStore } from '../../core/schedule-ports.ts';
import { nextRunAfter, parseTimetable, type Timetable } from '../../core/timetable.ts';
import { checkJob } from '../job-checks.ts';

export interface ScheduleDeps {
  schedules: ScheduleStore;
  agents: AgentRegistry;
  clock: Clock;
  newId?: () => string;
}

/** Who owns the schedule; an admin's schedule submits its jobs as an admin (reserved priorities). */
export interface ScheduleOwner {
  userId: string;
  isAdmin: boolean;
}

export class ScheduleChangedError extends Error {
  override readonly name = 'ScheduleChangedError';
}

const MAX_WRITE_ATTEMPTS = 5;

export async function createSchedule(
  deps: ScheduleDeps,
  owner: ScheduleOwner,
  input: CreateScheduleInput,
): Promise<Schedule> {
  const fields = { cron: input.cron ?? null, rate: input.rate ?? null, timezone: input.timezone ?? 'UTC' };
  const timetable = timetableOf(fields);
  checkScheduledJob(deps.agents, input.job);
  const now = deps.clock.now();
  const paused = input.paused ?? false;
  const schedule: Schedule = {
    id: (deps.newId ?? randomUUID)(),
    userId: owner.userId,
    ...(owner.isAdmin && { admin: true }),
    name: input.name ?? null,
    ...fields,
    job: input.job,
    overlap: input.overlap ?? 'skip',
    paused,
    nextRunAt: paused ? null : nextRunIso(timetable, now, now),
    lastRunAt: null,
    lastJobId: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    anchorAt: now.toISOString(),
    version: 1,
  };
  await deps.schedules.create(schedule);
  return schedule;
}

export async function getOwnSchedule(store: ScheduleStore, userId: string, id: string): Promise<Schedule> {
  const schedule = await store.get(userId, id);
  if (!schedule) throw new NotFoundError(`No schedule ${id}`);
  return schedule;
}

export function listOwnSchedules(
  store: ScheduleStore,
  userId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<Schedule>> {
  return store.listByUser(userId, query);
}

/**
 * Applies the given fields. Giving `cron` or `rate` replaces the timetable (the other one is cleared);
 * a changed timetable or a resume restarts a rate's periods from now. `nextRunAt` is recomputed from now.
 */
export async function updateSchedule(
  deps: ScheduleDeps,
  userId: string,
  id: string,
  patch: UpdateScheduleInput,
): Promise<Schedule> {
  if (patch.job) checkScheduledJob(deps.agents, patch.job);
  for (let attempt = 1; ; attempt++) {
    const current = await getOwnSchedule(deps.schedules, userId, id);
    const next = patched(current, patch, deps.clock.now());
    if (await deps.schedules.replace(next, current.version)) return next;
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new ScheduleChangedError(`schedule ${id} kept changing`);
  }
}

function patched(current: Schedule, patch: UpdateScheduleInput, now: Date): Schedule {
  const newTimetable = patch.cron !== undefined || patch.rate !== undefined;
  const fields = {
    cron: newTimetable ? (patch.cron ?? null) : current.cron,
    rate: newTimetable ? (patch.rate ?? null) : current.rate,
    timezone: patch.timezone ?? current.timezone,
  };
  const timetable = timetableOf(fields);
  const paused = patch.paused ?? current.paused;
  const resumed = current.paused && !paused;
  const anchor = newTimetable || patch.timezone !== undefined || resumed ? now : new Date(current.anchorAt);
  return {
    ...current,
    ...fields,
    name: patch.name !== undefined ? patch.name : current.name,
    job: patch.job ?? current.job,
    overlap: patch.overlap ?? current.overlap,
    paused,
    nextRunAt: paused ? null : nextRunIso(timetable, now, anchor),
    anchorAt: anchor.toISOString(),
    updatedAt: now.toISOString(),
    version: current.version + 1,
  };
}

export async function deleteSchedule(store: ScheduleStore, userId: string, id: string): Promise<void> {
  if (!(await store.delete(userId, id))) throw new NotFoundError(`No schedule ${id}`);
}

/** The timetable of a schedule's fields; invalid ones are a 400 validation_error naming the field. */
export function timetableOf(fields: {
  cron: string | null;
  rate: string | null;
  timezone: string;
}): Timetable {
  const parsed = parseTimetable(fields);
  if ('issues' in parsed) throw new ValidationError(parsed.issues);
  return parsed.timetable;
}

function nextRunIso(timetable: Timetable, now: Date, anchor: Date): string | null {
  return nextRunAfter(timetable, now, anchor)?.toISOString() ?? null;
}

/**
 * The job must name a registered agent command, with a timeout it can honour and params that fit its schema,
 * as a submission's would: what is accepted here is what every run can submit. The schedule item holds the
 * params, so at most what a job item holds inline (256 KiB).
 */
function checkScheduledJob(agents: AgentRegistry, job: ScheduledJob): void {
  checkJob(agents, job, { maxParamsBytes: INLINE_PARAMS_BYTES, path: 'job' });
}
