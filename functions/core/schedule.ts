/**
 * The schedule model (API.md "Schedules"): a timetable (cron in a time zone, or a rate), the job it starts,
 * what to do while its previous job is unfinished, and the state of its runs. Pure data; no AWS SDK.
 */

export const SCHEDULE_OVERLAPS = ['skip', 'allow'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];

/** What each run submits (a subset of a job submission). */
export interface ScheduledJob {
  type: string;
  command: string;
  params?: Record<string, unknown> | undefined;
  priority?: number | undefined;
  maxRetries?: number | undefined;
  retryDelaySeconds?: number | undefined;
  timeoutSeconds?: number | undefined;
}

/** The stored schedule: the public view plus its owner and the internals of its timetable. */
export interface Schedule {
  id: string;
  userId: string;
  /** Created by an admin: its jobs may use the priorities reserved for admins. */
  admin?: boolean;
  name: string | null;
  cron: string | null;
  rate: string | null;
  timezone: string;
  job: ScheduledJob;
  overlap: ScheduleOverlap;
  paused: boolean;
  /** The next due time; null while paused. The sweep finds due schedules by it (a sparse index). */
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastJobId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Where a rate counts its periods from: when the timetable was last set or the schedule resumed. */
  anchorAt: string;
  /** Grows with every write; each write is conditional on the version it read. */
  version: number;
}

export type ScheduleView = Omit<Schedule, 'userId' | 'admin' | 'anchorAt' | 'version'>;

/** The JSON shape of a schedule (field by field: stable key order, no internals). */
export function toScheduleView(schedule: Schedule): ScheduleView {
  return {
    id: schedule.id,
    name: schedule.name ?? null,
    cron: schedule.cron ?? null,
    rate: schedule.rate ?? null,
    timezone: schedule.timezone,
    job: schedule.job,
    overlap: schedule.overlap,
    paused: schedule.paused,
    nextRunAt: schedule.nextRunAt ?? null,
    lastRunAt: schedule.lastRunAt ?? null,
    lastJobId: schedule.lastJobId ?? null,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
  };
}

/**
 * The idempotency key of the job a schedule starts for one due time: a repeated or overlapping sweep
 * submits the same key, so the submit use case returns the first job instead of starting a second.
 */
export const scheduledRunKey = (scheduleId: string, dueAt: string): string =>
  `schedule:${scheduleId}:${dueAt}`;
