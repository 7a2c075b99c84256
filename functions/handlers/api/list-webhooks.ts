/** GET /webhooks: the caller's webhooks (never their secrets). */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { listWebhooks } from '../../usecases/webhooks/manage.ts';
import { logger } from '../../wiring/logger.ts';
import { webhookStore } from '../../wiring/webhook-deps.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal }) =>
  json(200, { webhooks: await listWebhooks(webhookStore, principal.userId) }),
);
