/** POST /schedules: create a schedule; 201 with it (a bad cron, rate or time zone: 400 validation_error). */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { createScheduleSchema } from '../../api/schedule-schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { toScheduleView } from '../../core/schedule.ts';
import { createSchedule } from '../../usecases/schedules/manage-schedules.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleDeps } from '../../wiring/schedule-deps.ts';

export const handler = httpHandler({ access: 'user', logger, body: true }, async ({ principal, body }) => {
  const input = parseInput(createScheduleSchema, body);
  const schedule = await createSchedule(scheduleDeps, principal, input);
  return json(201, { schedule: toScheduleView(schedule) }, { location: `/schedules/${schedule.id}` });
});
