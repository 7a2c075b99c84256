/** GET /queue/metrics: per-step history of submissions, starts and outcomes; admins all users, others own. */
import { httpHandler } from '../../api/http-handler.ts';
import { metricsQuerySchema } from '../../api/metrics-schemas.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { queueMetrics } from '../../usecases/metrics.ts';
import { logger } from '../../wiring/logger.ts';
import { metricsDeps } from '../../wiring/metrics-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, query }) => {
  const scope = principal.isAdmin ? { all: true as const } : { userId: principal.userId };
  return json(200, await queueMetrics(metricsDeps, scope, parseInput(metricsQuerySchema, query)));
});
