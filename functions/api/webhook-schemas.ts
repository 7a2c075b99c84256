/** Requests and responses of the webhook routes (API.md "Webhooks (notifications)"). Written with zod/mini. */
import { DELIVERY_STATUSES, JOB_EVENTS } from '../core/webhooks/model.ts';
import * as z from '../core/zod.ts';

const isoDate = z.iso.datetime({ offset: true });

export const createWebhookSchema = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(2048)).register(z.globalRegistry, {
    description:
      'Where events are POSTed: https (http too on the local runtime). Deployed, a URL whose host resolves to a private, loopback or link-local address is refused.',
  }),
  events: z.optional(z.array(z.enum(JOB_EVENTS)).check(z.minLength(1), z.maxLength(JOB_EVENTS.length))),
  description: z.optional(z.string().check(z.maxLength(256))),
});

export const webhookIdSchema = z.string().check(z.minLength(1), z.maxLength(64));

export const deliveriesQuerySchema = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
});

export const webhookViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(JOB_EVENTS)),
    description: z.nullable(z.string()),
    createdAt: isoDate,
  })
  .register(z.globalRegistry, { id: 'Webhook' });

export const deliveryViewSchema = z
  .object({
    id: z.string(),
    event: z.enum([...JOB_EVENTS, 'webhook.test']),
    jobId: z.nullable(z.string()),
    attempt: z.number().check(z.int()),
    status: z.enum(DELIVERY_STATUSES),
    responseStatus: z.nullable(z.number().check(z.int())),
    at: isoDate,
  })
  .register(z.globalRegistry, { id: 'WebhookDelivery' });

export const createdWebhookSchema = z.object({
  webhook: webhookViewSchema,
  secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]+$/)),
});
export const webhooksResponseSchema = z.object({ webhooks: z.array(webhookViewSchema) });
export const deliveriesResponseSchema = z.object({ deliveries: z.array(deliveryViewSchema) });
export const testDeliveryResponseSchema = z.object({ delivery: deliveryViewSchema });
