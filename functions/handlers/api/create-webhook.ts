/** POST /webhooks: registers an endpoint for the caller's job events; the secret is shown only here. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { createWebhookSchema } from '../../api/webhook-schemas.ts';
import { systemClock } from '../../core/clock.ts';
import { createWebhook } from '../../usecases/webhooks/manage.ts';
import { logger } from '../../wiring/logger.ts';
import { deliverySourceDeps } from '../../wiring/webhook-delivery-source.ts';
import { secretSealer, targetResolver, webhookStore } from '../../wiring/webhook-deps.ts';

const sealer = secretSealer();

export const handler = httpHandler({ access: 'user', logger, body: true }, async ({ principal, body }) => {
  const input = parseInput(createWebhookSchema, body);
  const created = await createWebhook(
    {
      store: webhookStore,
      sealer,
      resolver: targetResolver,
      clock: systemClock,
      deliveries: deliverySourceDeps,
    },
    principal.userId,
    input,
  );
  return json(201, created);
});
