/** POST /webhooks/{id}/test: queues a `webhook.test` event to the webhook (202 with its delivery). */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { webhookIdSchema } from '../../api/webhook-schemas.ts';
import { systemClock } from '../../core/clock.ts';
import { sendTestEvent } from '../../usecases/webhooks/manage.ts';
import { logger } from '../../wiring/logger.ts';
import { deliveryQueue, webhookStore } from '../../wiring/webhook-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(webhookIdSchema, path.id, 'id');
  const delivery = await sendTestEvent(
    { store: webhookStore, queue: deliveryQueue, clock: systemClock },
    principal.userId,
    id,
  );
  return json(202, { delivery });
});
