/**
 * In-memory webhook ports for unit tests: a store (also the registry of "any webhook?"), a queue that
 * records messages, a pass-through sealer, and the delivery queue's event source switch.
 */
import type { EventSourceState, EventSourceSwitch } from '../../functions/core/event-source.ts';
import type { Delivery, Webhook } from '../../functions/core/webhooks/model.ts';
import type { DeliverySourceDeps } from '../../functions/usecases/webhooks/delivery-source.ts';
import type {
  DeliveryKey,
  DeliveryMessage,
  DeliveryQueue,
  SecretSealer,
  WebhookRegistry,
  WebhookStore,
} from '../../functions/usecases/webhooks/ports.ts';
import { silentLogger } from './memory-store.ts';

export class MemoryWebhookStore implements WebhookStore, WebhookRegistry {
  readonly webhooks = new Map<string, Webhook>();
  readonly deliveries = new Map<string, Delivery>();
  /** How many times `list` ran, by user. */
  readonly lookups = new Map<string, number>();

  async create(webhook: Webhook) {
    this.webhooks.set(`${webhook.userId}/${webhook.id}`, webhook);
  }
  async list(userId: string) {
    this.lookups.set(userId, (this.lookups.get(userId) ?? 0) + 1);
    return [...this.webhooks.values()].filter((webhook) => webhook.userId === userId);
  }
  async get(userId: string, id: string) {
    return this.webhooks.get(`${userId}/${id}`) ?? null;
  }
  async delete(userId: string, id: string) {
    return this.webhooks.delete(`${userId}/${id}`);
  }
  async anyExists() {
    return this.webhooks.size > 0;
  }
  async addDelivery(delivery: Delivery) {
    if (this.deliveries.has(delivery.id)) return false;
    this.deliveries.set(delivery.id, { ...delivery });
    return true;
  }
  async recordAttempt(
    key: DeliveryKey,
    outcome: Pick<Delivery, 'attempt' | 'status' | 'responseStatus' | 'at'>,
  ) {
    const delivery = this.deliveries.get(key.id);
    if (delivery?.status === 'pending') Object.assign(delivery, outcome);
  }
  async listDeliveries(userId: string, webhookId: string, limit: number) {
    return [...this.deliveries.values()]
      .filter((d) => d.userId === userId && d.webhookId === webhookId)
      .reverse()
      .slice(0, limit);
  }
}

export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly sent: DeliveryMessage[] = [];
  failNext = false;
  async send(messages: DeliveryMessage[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue unavailable');
    }
    this.sent.push(...messages);
  }
}

export const plainSealer: SecretSealer = {
  seal: async (secret, context) => `plain:${JSON.stringify(context)}:${secret}`,
  open: async (sealed, context) => {
    const prefix = `plain:${JSON.stringify(context)}:`;
    if (!sealed.startsWith(prefix)) throw new Error('wrong context');
    return sealed.slice(prefix.length);
  },
};

/** A mapping created disabled; records each switch, settles at once unless told to stay `state`. */
export class MemoryEventSource implements EventSourceSwitch {
  readonly switches: boolean[] = [];
  failNext = false;
  constructor(public current: EventSourceState = 'disabled') {}
  async state() {
    return this.current;
  }
  async setEnabled(enabled: boolean) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('ResourceInUseException');
    }
    this.switches.push(enabled);
    this.current = enabled ? 'enabled' : 'disabled';
  }
}

export const memoryDeliverySource = (
  registry: WebhookRegistry,
  source = new MemoryEventSource(),
): DeliverySourceDeps & { source: MemoryEventSource } => ({ registry, source, logger: silentLogger });
