/** GET /queue/stats: counts, queue depths and timings; admins see every user's jobs, others their own. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { queueStats } from '../../usecases/queue-stats.ts';
import { logger } from '../../wiring/logger.ts';
import { statsDeps } from '../../wiring/stats-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal }) => {
  const scope = principal.isAdmin ? { all: true as const } : { userId: principal.userId };
  return json(200, await queueStats(statsDeps, scope));
});
