/** The ports the webhook use cases work through; adapters under functions/adapters/ implement them. */
import type { Delivery, DeliveryStatus, Webhook, WebhookEventType } from '../../core/webhooks/model.ts';

/** Registrations and the delivery log (DynamoDB: the jobs table, `WEBHOOK#<user>` partition). */
export interface WebhookStore {
  create(webhook: Webhook): Promise<void>;
  /** The user's webhooks, oldest first (one query of their partition). */
  list(userId: string): Promise<Webhook[]>;
  get(userId: string, id: string): Promise<Webhook | null>;
  /** False when there was none. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Records a new delivery; false when one with its id exists (a repeated stream record). */
  addDelivery(delivery: Delivery): Promise<boolean>;
  /** Records an attempt's outcome; `status` never goes back from delivered or failed. */
  recordAttempt(
    key: DeliveryKey,
    outcome: { attempt: number; status: DeliveryStatus; responseStatus: number | null; at: string },
  ): Promise<void>;
  /** Newest first. */
  listDeliveries(userId: string, webhookId: string, limit: number): Promise<Delivery[]>;
}

/** Whether any user has a webhook (the delivery queue's event source runs only then). */
export interface WebhookRegistry {
  anyExists(): Promise<boolean>;
}

export type DeliveryKey = Pick<Delivery, 'userId' | 'webhookId' | 'id' | 'createdAt'>;

/** What the delivery queue carries: everything one attempt needs besides the webhook's secret and URL. */
export interface DeliveryMessage extends DeliveryKey {
  event: WebhookEventType;
  jobId: string | null;
  /** The exact body every attempt sends (the signature covers it). */
  body: string;
}

/** The SQS delivery queue; its message visibility is the retry delay. */
export interface DeliveryQueue {
  send(messages: DeliveryMessage[]): Promise<void>;
}

/** Seals webhook secrets at rest: KMS deployed, AES-256-GCM with a local key in the local runtime. */
export interface SecretSealer {
  seal(secret: string, context: Record<string, string>): Promise<string>;
  open(sealed: string, context: Record<string, string>): Promise<string>;
}

/** Checks a webhook URL and resolves it to the addresses a request may go to (SSRF policy applied). */
export interface TargetResolver {
  /** Throws TargetRefusedError when the URL may not be used. */
  resolve(url: string): Promise<ResolvedTarget>;
}

export interface ResolvedTarget {
  url: URL;
  /** The address the request is pinned to (resolved once, so DNS cannot change it between check and use). */
  address: string;
  family: 4 | 6;
}

export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

/** One HTTP POST attempt: status null when no response came (network error, timeout). */
export interface WebhookSender {
  post(
    target: ResolvedTarget,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number | null; error?: string }>;
}

export type { DeliveryStatus };
