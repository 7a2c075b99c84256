/** GET /webhooks/{id}/deliveries: the webhook's delivery log, newest first. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { deliveriesQuerySchema, webhookIdSchema } from '../../api/webhook-schemas.ts';
import { listDeliveries } from '../../usecases/webhooks/manage.ts';
import { logger } from '../../wiring/logger.ts';
import { webhookStore } from '../../wiring/webhook-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path, query }) => {
  const id = parseInput(webhookIdSchema, path.id, 'id');
  const { limit } = parseInput(deliveriesQuerySchema, query);
  return json(200, { deliveries: await listDeliveries(webhookStore, principal.userId, id, limit) });
});
