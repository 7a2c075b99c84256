/**
 * Webhooks (API.md "Webhooks (notifications)"): a user's registered endpoints, the job events they receive
 * and the log of deliveries. Pure model: no AWS, no I/O.
 */
import { isTerminal, type Job, type JobStatus } from '../job.ts';

export const JOB_EVENTS = ['job.completed', 'job.failed', 'job.dead', 'job.cancelled'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];
export type WebhookEventType = JobEvent | 'webhook.test';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** At most this many webhooks per user: each terminal job change is sent to every matching one. */
export const MAX_WEBHOOKS_PER_USER = 20;

export interface Webhook {
  id: string;
  userId: string;
  url: string;
  events: JobEvent[];
  description: string | null;
  createdAt: string;
  /** The signing secret, sealed by the SecretSealer port (never shown after creation). */
  sealedSecret: string;
}

export type WebhookView = Pick<Webhook, 'id' | 'url' | 'events' | 'description' | 'createdAt'>;

export const toWebhookView = (webhook: Webhook): WebhookView => ({
  id: webhook.id,
  url: webhook.url,
  events: webhook.events,
  description: webhook.description,
  createdAt: webhook.createdAt,
});

/** One event sent to one webhook, with all its attempts (the `webhook-id` header is its id). */
export interface Delivery {
  id: string;
  webhookId: string;
  userId: string;
  event: WebhookEventType;
  jobId: string | null;
  attempt: number;
  status: DeliveryStatus;
  responseStatus: number | null;
  /** When the delivery was created. */
  createdAt: string;
  /** The last change: created, attempted, delivered or given up. */
  at: string;
}

export type DeliveryView = Pick<
  Delivery,
  'id' | 'event' | 'jobId' | 'attempt' | 'status' | 'responseStatus' | 'at'
>;

export const toDeliveryView = (delivery: Delivery): DeliveryView => ({
  id: delivery.id,
  event: delivery.event,
  jobId: delivery.jobId,
  attempt: delivery.attempt,
  status: delivery.status,
  responseStatus: delivery.responseStatus,
  at: delivery.at,
});

const EVENT_OF: Partial<Record<JobStatus, JobEvent>> = {
  completed: 'job.completed',
  failed: 'job.failed',
  dead: 'job.dead',
  cancelled: 'job.cancelled',
};

/**
 * The event a change of a job causes: it just reached a terminal status from a non-terminal one (a retried
 * job that ends again causes a new event).
 */
export function jobEventOf(before: Job | undefined, after: Job | undefined): JobEvent | null {
  if (!after || (before && isTerminal(before.status))) return null;
  return EVENT_OF[after.status] ?? null;
}

/** The body every receiver gets (Standard Webhooks: type, timestamp, data). */
export function eventBody(type: WebhookEventType, timestamp: string, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp, data });
}
