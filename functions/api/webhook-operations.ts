/** OpenAPI operations of the webhook routes, joined into openapi-operations.ts. */
import type { Operation } from './openapi-operations.ts';
import {
  createdWebhookSchema,
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveriesResponseSchema,
  testDeliveryResponseSchema,
  webhooksResponseSchema,
} from './webhook-schemas.ts';

export const webhookOperations: Record<string, Operation> = {
  'create-webhook': {
    description:
      'Each `job.completed`, `job.failed`, `job.dead` or `job.cancelled` event of your jobs (those in `events`, ' +
      'all by default) is POSTed to `url` following the Standard Webhooks specification: headers `webhook-id` ' +
      '(the same on every retry), `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>` keyed ' +
      'with the secret, which is shown only in this answer. A 2xx within 10 s delivers an event; anything else ' +
      'is retried with growing delays for 24 hours.',
    body: createWebhookSchema,
    responses: { 201: { description: 'Registered; keep the secret', schema: createdWebhookSchema } },
    errors: { 429: ['quota_exceeded'] },
  },
  'list-webhooks': {
    responses: { 200: { description: 'Your webhooks (without secrets)', schema: webhooksResponseSchema } },
  },
  'delete-webhook': { responses: { 204: { description: 'Removed' } } },
  'test-webhook': {
    description: 'Queues a `webhook.test` event; follow it in the delivery log.',
    responses: { 202: { description: 'Queued', schema: testDeliveryResponseSchema } },
  },
  'list-webhook-deliveries': {
    query: deliveriesQuerySchema,
    responses: { 200: { description: 'The delivery log, newest first', schema: deliveriesResponseSchema } },
  },
};
