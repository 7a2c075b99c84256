/** GET /schedules/{id}: one of the caller's schedules; another user's is a 404. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { toScheduleView } from '../../core/schedule.ts';
import { getOwnSchedule } from '../../usecases/schedules/manage-schedules.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleStore } from '../../wiring/schedule-store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const schedule = await getOwnSchedule(scheduleStore, principal.userId, id);
  return json(200, { schedule: toScheduleView(schedule) });
});
