/** GET /admin/dead: dead jobs of every user, oldest first, paginated. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { deadJobsQuerySchema } from '../../api/schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { logger } from '../../config/logger.ts';
import { jobStore } from '../../config/store.ts';
import { toJobView } from '../../core/job.ts';

export const handler = httpHandler({ access: 'admin', logger }, async ({ query }) => {
  const { limit, cursor } = parseInput(deadJobsQuerySchema, query);
  const page = await jobStore.listByStatus('dead', { limit, cursor });
  return json(200, { jobs: page.items.map(toJobView), nextCursor: page.nextCursor });
});
