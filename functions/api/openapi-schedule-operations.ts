/** The schedule routes in the OpenAPI document (see openapi-operations.ts for the shape). */
import * as z from '../core/zod.ts';
import type { Operation } from './openapi-operations.ts';
import {
  createScheduleSchema,
  listSchedulesQuerySchema,
  scheduleResponseSchema,
  schedulesPageSchema,
  updateScheduleSchema,
} from './schedule-schemas.ts';
import { jobViewSchema } from './schemas.ts';

const scheduleResponse = (description: string) => ({ description, schema: scheduleResponseSchema });

export const scheduleOperations: Record<string, Operation> = {
  'create-schedule': {
    description:
      'Give `cron` (5 fields, in `timezone`) or `rate` ("N minutes|hours|days"). Each due time starts the job ' +
      'at most once, within a minute; jobs it starts carry `scheduleId`. `overlap: "skip"` (default) starts ' +
      'nothing while the previous job is unfinished. After downtime, one run for all missed due times.',
    body: createScheduleSchema,
    responses: { 201: scheduleResponse('Created') },
    errors: { 400: ['unknown_agent'] },
  },
  'list-schedules': {
    description: 'Pass `nextCursor` back as `cursor` for the next page; null on the last.',
    query: listSchedulesQuerySchema,
    responses: { 200: { description: 'A page of your schedules', schema: schedulesPageSchema } },
  },
  'get-schedule': { responses: { 200: scheduleResponse('The schedule') } },
  'update-schedule': {
    description:
      'Any of the fields of a creation. Giving `cron` or `rate` replaces the timetable; `nextRunAt` is ' +
      'recomputed from now (null while paused).',
    body: updateScheduleSchema,
    responses: { 200: scheduleResponse('The changed schedule') },
    errors: { 400: ['unknown_agent'] },
  },
  'delete-schedule': {
    description: 'The jobs it started are kept.',
    responses: { 204: { description: 'Deleted' } },
  },
  'trigger-schedule': {
    description: "Starts the schedule's job now, outside its timetable (also when paused).",
    responses: {
      202: { description: 'Started', schema: z.object({ job: jobViewSchema }), location: true },
    },
    errors: { 403: ['priority_reserved'], 429: ['quota_exceeded'], 400: ['unknown_agent'] },
  },
};
