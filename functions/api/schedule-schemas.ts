/**
 * Requests and responses of the schedule routes (API.md "Schedules"). Written with zod/mini; the timetable
 * itself (cron, rate, time zone) is checked by core/timetable.ts, which answers the same 400 shape.
 */
import { SCHEDULE_OVERLAPS } from '../core/schedule.ts';
import { MAX_PRIORITY, MIN_PRIORITY } from '../core/tiers.ts';
import * as z from '../core/zod.ts';
import { MAX_TIMEOUT_SECONDS } from './submit-schemas.ts';

const isoDate = z.iso.datetime({ offset: true });
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const agentName = text(1, 64).check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-" and "." only'),
);
const describe = <T extends z.ZodMiniType>(schema: T, description: string): T => {
  z.globalRegistry.add(schema, { description });
  return schema;
};

/** What each run submits: a job's type, command, params and run options (no timing or dependencies). */
export const scheduledJobSchema = z
  .strictObject({
    type: agentName,
    command: agentName,
    params: z.optional(z.record(z.string(), z.unknown())),
    priority: z.optional(int(MIN_PRIORITY, MAX_PRIORITY)),
    maxRetries: z.optional(int(0, 10)),
    retryDelaySeconds: z.optional(int(1, 3600)),
    timeoutSeconds: z.optional(int(1, MAX_TIMEOUT_SECONDS)),
  })
  .register(z.globalRegistry, { id: 'ScheduledJob' });

const timetableFields = {
  name: z.optional(z.nullable(text(1, 128))),
  cron: describe(
    z.optional(z.nullable(text(1, 256))),
    'Five fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *" (in `timezone`). Give cron or rate.',
  ),
  rate: describe(
    z.optional(z.nullable(text(1, 32))),
    '"N minutes", "N hours" or "N days" (N >= 1), counted from when the timetable was set. Give cron or rate.',
  ),
  timezone: describe(z.optional(text(1, 64)), 'An IANA time zone, e.g. "Europe/Berlin" (default "UTC").'),
  job: scheduledJobSchema,
  overlap: describe(
    z.optional(z.enum(SCHEDULE_OVERLAPS)),
    '"skip" (default): start nothing while the previous job of the schedule is unfinished. "allow": start anyway.',
  ),
  paused: z.optional(z.boolean()),
};

export const createScheduleSchema = z.strictObject(timetableFields);
export type CreateScheduleInput = z.output<typeof createScheduleSchema>;

export const updateScheduleSchema = z.strictObject({
  ...timetableFields,
  job: z.optional(scheduledJobSchema),
});
export type UpdateScheduleInput = z.output<typeof updateScheduleSchema>;

export const listSchedulesQuerySchema = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
  cursor: z.optional(text(1, 2048)),
});

export const scheduleViewSchema = z
  .object({
    id: z.string(),
    name: z.nullable(z.string()),
    cron: z.nullable(z.string()),
    rate: z.nullable(z.string()),
    timezone: z.string(),
    job: scheduledJobSchema,
    overlap: z.enum(SCHEDULE_OVERLAPS),
    paused: z.boolean(),
    nextRunAt: z.nullable(isoDate),
    lastRunAt: z.nullable(isoDate),
    lastJobId: z.nullable(z.string()),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .register(z.globalRegistry, { id: 'Schedule' });

export const scheduleResponseSchema = z.object({ schedule: scheduleViewSchema });
export const schedulesPageSchema = z.object({
  schedules: z.array(scheduleViewSchema),
  nextCursor: z.nullable(z.string()),
});
