/** GET /jobs/{id}: one of the caller's jobs; another user's job is a 404. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { getOwnJob } from '../../usecases/read-jobs.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const job = await getOwnJob(jobStore, principal.userId, id);
  return json(200, { job: toJobView(job) });
});
