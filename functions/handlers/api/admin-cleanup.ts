/**
 * POST /admin/cleanup?days=&cursor=: delete finished jobs that ended more than `days` ago (default 30).
 * Stops before the function's timeout: `complete: false` with a `nextCursor` to pass back as `cursor`.
 */

import { cleanupQuerySchema } from '../../api/admin-schemas.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { cleanupWithin } from '../../usecases/cleanup.ts';
import { HTTP_MARGIN_MS, outOfTimeFor } from '../../usecases/time-budget.ts';
import { logger } from '../../wiring/logger.ts';
import { maintenanceDeps } from '../../wiring/maintenance-deps.ts';
import { payloadStore } from '../../wiring/payloads.ts';

export const handler = httpHandler({ access: 'admin', logger }, async ({ query, context }) => {
  const { days, cursor } = parseInput(cleanupQuerySchema, query);
  const report = await cleanupWithin(
    { ...maintenanceDeps, payloads: payloadStore },
    {
      days,
      ...(cursor !== undefined && { cursor }),
      outOfTime: outOfTimeFor(context, HTTP_MARGIN_MS),
    },
  );
  return json(200, report);
});
