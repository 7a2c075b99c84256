/** POST /jobs/{id}/cancel and DELETE /jobs/{id}: cancel a waiting job, or ask a running one to stop. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { systemClock } from '../../core/clock.ts';
import { toJobView } from '../../core/job.ts';
import { cancelJob } from '../../usecases/change-job.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const job = await cancelJob({ store: jobStore, clock: systemClock }, principal.userId, id);
  return json(200, { job: toJobView(job) });
});
