/** GET /jobs: the caller's jobs, newest first, filtered by status/type, paginated by cursor. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { listJobsQuerySchema } from '../../api/schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { logger } from '../../config/logger.ts';
import { jobStore } from '../../config/store.ts';
import { toJobView } from '../../core/job.ts';
import { listOwnJobs } from '../../usecases/read-jobs.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, query }) => {
  const page = await listOwnJobs(jobStore, principal.userId, parseInput(listJobsQuerySchema, query));
  return json(200, { jobs: page.items.map(toJobView), nextCursor: page.nextCursor });
});
