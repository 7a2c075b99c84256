/** The webhook routes (API.md "Webhooks (notifications)"), joined into routes.ts. */
import type { RouteDefinition } from './routes.ts';

export const webhookRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/webhooks',
    handler: 'create-webhook',
    access: 'user',
    summary: 'Register a webhook for your job events',
  },
  { method: 'GET', path: '/webhooks', handler: 'list-webhooks', access: 'user', summary: 'Your webhooks' },
  {
    method: 'DELETE',
    path: '/webhooks/{id}',
    handler: 'delete-webhook',
    access: 'user',
    summary: 'Remove a webhook',
  },
  {
    method: 'POST',
    path: '/webhooks/{id}/test',
    handler: 'test-webhook',
    access: 'user',
    summary: 'Send a webhook.test event',
  },
  {
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    handler: 'list-webhook-deliveries',
    access: 'user',
    summary: 'Deliveries of one webhook, newest first',
  },
];
