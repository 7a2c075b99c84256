/** POST /schedules/{id}/trigger: run the schedule's job now, outside its timetable; 202 with the job. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { triggerSchedule } from '../../usecases/schedules/run-schedules.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleRunDeps } from '../../wiring/schedule-run-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const job = await triggerSchedule(scheduleRunDeps, principal.userId, id);
  return json(202, { job: toJobView(job) }, { location: `/jobs/${job.id}` });
});
