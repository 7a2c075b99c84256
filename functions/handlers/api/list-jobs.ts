/** GET /jobs: the caller's jobs, newest first, filtered by status/type, paginated by cursor. */
import { httpHandler } from '../../api/http-handler.ts';
import { listJobsQuerySchema } from '../../api/list-schemas.ts';
import { json } from '../../api/respond.ts';
import { openCursor, sealCursor } from '../../api/sealed-cursor.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { listOwnJobs } from '../../usecases/read-jobs.ts';
import { cursorKey } from '../../wiring/cursor-key.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, query }) => {
  const input = parseInput(listJobsQuerySchema, query);
  // A cursor opens only for the listing it came from: this user, this filter.
  const scope = JSON.stringify(['jobs', principal.userId, input.status ?? null, input.type ?? null]);
  const cursor = openCursor(cursorKey, scope, input.cursor);
  const page = await listOwnJobs(jobStore, principal.userId, { ...input, cursor });
  return json(200, {
    jobs: page.items.map(toJobView),
    nextCursor: sealCursor(cursorKey, scope, page.nextCursor),
  });
});
