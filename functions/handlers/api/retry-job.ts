/** POST /jobs/{id}/retry: requeue a failed, dead or cancelled job with a fresh attempt budget. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { systemClock } from '../../core/clock.ts';
import { toJobView } from '../../core/job.ts';
import { retryJob } from '../../usecases/change-job.ts';
import { dispatcher } from '../../wiring/dispatcher.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const job = await retryJob({ store: jobStore, dispatcher, clock: systemClock }, principal.userId, id);
  return json(202, { job: toJobView(job) }, { location: `/jobs/${job.id}` });
});
