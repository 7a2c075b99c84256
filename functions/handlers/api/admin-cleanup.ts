/** POST /admin/cleanup?days=: delete finished jobs that ended more than `days` ago (default 30). */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { cleanupQuerySchema } from '../../api/schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { logger } from '../../config/logger.ts';
import { maintenanceDeps } from '../../config/maintenance-deps.ts';
import { cleanup } from '../../usecases/maintenance.ts';

export const handler = httpHandler({ access: 'admin', logger }, async ({ query }) => {
  const { days } = parseInput(cleanupQuerySchema, query);
  return json(200, { deleted: await cleanup(maintenanceDeps, days) });
});
