/**
 * DELETE /webhooks/{id}: removes one of the caller's webhooks (204); another user's is a 404. The last
 * webhook of the deployment switches the delivery queue's event source off.
 */
import { httpHandler } from '../../api/http-handler.ts';
import { parseInput } from '../../api/validate.ts';
import { webhookIdSchema } from '../../api/webhook-schemas.ts';
import { deleteWebhook } from '../../usecases/webhooks/manage.ts';
import { logger } from '../../wiring/logger.ts';
import { deliverySourceDeps } from '../../wiring/webhook-delivery-source.ts';
import { webhookStore } from '../../wiring/webhook-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  await deleteWebhook(
    { store: webhookStore, deliveries: deliverySourceDeps },
    principal.userId,
    parseInput(webhookIdSchema, path.id, 'id'),
  );
  return { statusCode: 204 };
});
