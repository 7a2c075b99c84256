/**
 * GET /jobs/count: how many of the caller's jobs match the filters. `approximate: true` (type filters only)
 * means the count stopped at its cap of examined jobs and the true count is at least `count`.
 */
import { httpHandler } from '../../api/http-handler.ts';
import { countJobsQuerySchema } from '../../api/list-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { countOwnJobs } from '../../usecases/read-jobs.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, query }) => {
  const { count, approximate } = await countOwnJobs(
    jobStore,
    principal.userId,
    parseInput(countJobsQuerySchema, query),
  );
  return json(200, { count, approximate });
});
