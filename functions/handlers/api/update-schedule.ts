/** PATCH /schedules/{id}: change any of name, cron, rate, timezone, job, overlap, paused; nextRunAt is recomputed. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { updateScheduleSchema } from '../../api/schedule-schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { toScheduleView } from '../../core/schedule.ts';
import { updateSchedule } from '../../usecases/schedules/manage-schedules.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleDeps } from '../../wiring/schedule-deps.ts';

export const handler = httpHandler(
  { access: 'user', logger, body: true },
  async ({ principal, path, body }) => {
    const id = parseInput(jobIdSchema, path.id, 'id');
    const patch = parseInput(updateScheduleSchema, body ?? {});
    const schedule = await updateSchedule(scheduleDeps, principal.userId, id, patch);
    return json(200, { schedule: toScheduleView(schedule) });
  },
);
