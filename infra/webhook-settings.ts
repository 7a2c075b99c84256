/**
 * The webhook delivery queue, its dead-letter queue and the delivery function's event source: one
 * definition the CDK construct (infra/constructs/webhooks.ts) and the local stack (functions/local/
 * webhook-queues.ts) both build from; test/infra/webhooks.test.ts checks they agree. Plain data.
 */
import { functionTimeouts, type SqsEventSourceSettings } from './function-settings.ts';

/** The delivery function's Lambda timeout: a batch's attempts run side by side, each at most 10 s. */
export const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = functionTimeouts['webhook-delivery'];

export const webhookQueueDefaults = {
  /** An attempt in flight stays invisible this long (six times the function's timeout, as AWS recommends). */
  visibilityTimeoutSeconds: 6 * WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
  /** Retries span 24 hours (core/webhooks/retry-schedule.ts); the message must outlive them. */
  retentionDays: 4,
  dlqRetentionDays: 14,
  /**
   * A safety net for a message whose attempts crash the function: the handler itself gives up after 24
   * hours (about 25 attempts) and moves the message to the DLQ; the redrive only catches crash loops.
   */
  maxReceiveCount: 100,
} as const;

export const webhookDeliveryEventSource: SqsEventSourceSettings = {
  module: 'webhook-delivery',
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  // Deliveries are light (one HTTP request each); a few concurrent batches keep up with bursts.
  maxConcurrency: 5,
  reportBatchItemFailures: true,
  // Created disabled: it runs only while some webhook exists (usecases/webhooks/delivery-source.ts).
  enabled: false,
};

export const webhookQueueName = (prefix: string): string => `${prefix}-webhooks`;
export const webhookDeadLetterQueueName = (prefix: string): string => `${prefix}-webhooks-dlq`;
