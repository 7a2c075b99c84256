/** GET /admin/dead: dead jobs of every user, oldest first, paginated. */

import { deadJobsQuerySchema } from '../../api/admin-schemas.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { openCursor, sealCursor } from '../../api/sealed-cursor.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { cursorKey } from '../../wiring/cursor-key.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

const SCOPE = 'admin-dead';

export const handler = httpHandler({ access: 'admin', logger }, async ({ query }) => {
  const { limit, cursor } = parseInput(deadJobsQuerySchema, query);
  const page = await jobStore.listByStatus('dead', { limit, cursor: openCursor(cursorKey, SCOPE, cursor) });
  return json(200, {
    jobs: page.items.map(toJobView),
    nextCursor: sealCursor(cursorKey, SCOPE, page.nextCursor),
  });
});
