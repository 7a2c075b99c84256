/**
 * Registering, listing and removing a user's webhooks, the delivery log, and test events
 * (API.md "Webhooks (notifications)"). Another user's webhook is a 404 like a missing one.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { NotFoundError, QuotaExceededError, ValidationError } from '../../core/errors.ts';
import {
  type DeliveryView,
  eventBody,
  JOB_EVENTS,
  type JobEvent,
  MAX_WEBHOOKS_PER_USER,
  toDeliveryView,
  toWebhookView,
  type Webhook,
  type WebhookView,
} from '../../core/webhooks/model.ts';
import { generateWebhookSecret } from '../../core/webhooks/signing.ts';
import { type DeliverySourceDeps, reconcileDeliveries, switchDeliveries } from './delivery-source.ts';
import {
  type DeliveryQueue,
  type SecretSealer,
  TargetRefusedError,
  type TargetResolver,
  type WebhookStore,
} from './ports.ts';

export interface ManageDeps {
  store: WebhookStore;
  sealer: SecretSealer;
  resolver: TargetResolver;
  clock: Clock;
  /** The delivery queue's event source, switched on here (delivery-source.ts). */
  deliveries: DeliverySourceDeps;
}

export interface NewWebhook {
  url: string;
  events?: JobEvent[] | undefined;
  description?: string | undefined;
}

/** What the secret is sealed for: a sealed secret copied to another webhook or user does not open. */
export const secretContext = (webhook: Pick<Webhook, 'id' | 'userId'>) => ({
  webhookId: webhook.id,
  userId: webhook.userId,
});

export async function createWebhook(
  deps: ManageDeps,
  userId: string,
  input: NewWebhook,
): Promise<{ webhook: WebhookView; secret: string }> {
  try {
    await deps.resolver.resolve(input.url);
  } catch (error) {
    if (error instanceof TargetRefusedError)
      throw new ValidationError([{ path: 'url', message: error.message }]);
    throw error;
  }
  const existing = await deps.store.list(userId);
  if (existing.length >= MAX_WEBHOOKS_PER_USER)
    throw new QuotaExceededError(`At most ${MAX_WEBHOOKS_PER_USER} webhooks per user`, {
      quota: 'webhooks',
      limit: MAX_WEBHOOKS_PER_USER,
    });
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const webhook: Webhook = {
    id,
    userId,
    url: input.url,
    events: input.events && input.events.length > 0 ? [...new Set(input.events)] : [...JOB_EVENTS],
    description: input.description ?? null,
    createdAt: deps.clock.now().toISOString(),
    sealedSecret: await deps.sealer.seal(secret, secretContext({ id, userId })),
  };
  await deps.store.create(webhook);
  // Before answering, so the first delivery waits for the event source's start at most. A failure is
  // logged and repaired by the maintenance run within a minute; deliveries wait in the queue meanwhile.
  await switchDeliveries(deps.deliveries, true);
  return { webhook: toWebhookView(webhook), secret };
}

export async function listWebhooks(store: WebhookStore, userId: string): Promise<WebhookView[]> {
  return (await store.list(userId)).map(toWebhookView);
}

/** Removes the webhook; the last one of the deployment switches the delivery event source off. */
export async function deleteWebhook(
  deps: { store: WebhookStore; deliveries: DeliverySourceDeps },
  userId: string,
  id: string,
): Promise<void> {
  if (!(await deps.store.delete(userId, id))) throw new NotFoundError('No such webhook');
  await reconcileDeliveries(deps.deliveries);
}

export async function listDeliveries(
  store: WebhookStore,
  userId: string,
  webhookId: string,
  limit: number,
): Promise<DeliveryView[]> {
  if (!(await store.get(userId, webhookId))) throw new NotFoundError('No such webhook');
  return (await store.listDeliveries(userId, webhookId, limit)).map(toDeliveryView);
}

/** Queues a `webhook.test` event for one webhook; resolves with its delivery (pending). */
export async function sendTestEvent(
  deps: { store: WebhookStore; queue: DeliveryQueue; clock: Clock },
  userId: string,
  webhookId: string,
): Promise<DeliveryView> {
  const webhook = await deps.store.get(userId, webhookId);
  if (!webhook) throw new NotFoundError('No such webhook');
  const now = deps.clock.now().toISOString();
  const delivery = {
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    webhookId,
    userId,
    event: 'webhook.test' as const,
    jobId: null,
    attempt: 0,
    status: 'pending' as const,
    responseStatus: null,
    createdAt: now,
    at: now,
  };
  await deps.store.addDelivery(delivery);
  await deps.queue.send([
    {
      ...delivery,
      body: eventBody('webhook.test', now, { webhook: toWebhookView(webhook) }),
    },
  ]);
  return toDeliveryView(delivery);
}
