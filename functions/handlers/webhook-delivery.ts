/**
 * Consumes the webhook delivery queue: one attempt per message, the batch's messages side by side (usecases/webhooks/deliver.ts). A delivered
 * or given-up message is deleted (given up: moved to the dead-letter queue first); a failed attempt keeps
 * its message, made invisible for the retry delay, and reports it as a batch item failure. A message that is
 * not a delivery is logged and dropped.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseDeliveryMessage, SqsDeliveryQueue } from '../adapters/sqs/delivery-queue.ts';
import { HttpWebhookSender } from '../adapters/webhooks/http-sender.ts';
import { systemClock } from '../core/clock.ts';
import { type DeliverDeps, deliverOnce } from '../usecases/webhooks/deliver.ts';
import { logger } from '../wiring/logger.ts';
import { sqsClient } from '../wiring/sqs-client.ts';
import { secretSealer, targetResolver, webhookStore } from '../wiring/webhook-deps.ts';
import { retrySchedule, webhookDeadLetterQueueUrl, webhookQueueUrl } from '../wiring/webhooks-config.ts';

/** API.md: a 2xx within 10 s delivers. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** What is read of a receiver's answer before the connection is closed. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const queue = new SqsDeliveryQueue(sqsClient, {
  queueUrl: webhookQueueUrl(),
  deadLetterQueueUrl: webhookDeadLetterQueueUrl(),
});
const deps: DeliverDeps = {
  store: webhookStore,
  sealer: secretSealer(),
  resolver: targetResolver,
  sender: new HttpWebhookSender({
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    userAgent: 'tiered-job-queue-webhooks/1',
  }),
  clock: systemClock,
  schedule: retrySchedule(),
};

/** One record: resolves with its messageId when it is to come back (a retry, or an attempt not made). */
async function handleRecord(record: SQSRecord): Promise<string | null> {
  const message = parseDeliveryMessage(record.body);
  if (!message) {
    logger.error('not a webhook delivery message; dropped', { messageId: record.messageId });
    return null;
  }
  const context = { deliveryId: message.id, webhookId: message.webhookId, event: message.event };
  try {
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? 1);
    const outcome = await deliverOnce(deps, message, attempt);
    if (outcome.kind === 'retry') {
      logger.info('webhook attempt failed; retrying', { ...context, attempt, ...outcome });
      await queue.retryAfter(record.receiptHandle, outcome.delaySeconds);
      return record.messageId;
    }
    if (outcome.kind === 'failed') {
      logger.warn('webhook delivery failed for 24 hours; moved to the dead-letter queue', {
        ...context,
        attempt,
        ...outcome,
      });
      await queue.deadLetter(record.body);
    } else logger.info('webhook delivery finished', { ...context, attempt, outcome: outcome.kind });
    return null;
  } catch (error) {
    logger.error('webhook attempt could not be made; the message returns after its visibility timeout', {
      ...context,
      error,
    });
    return record.messageId;
  }
}

/** The records' attempts run side by side: one slow receiver does not hold up the others. */
async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const again = await Promise.all(event.Records.map(handleRecord));
  return {
    batchItemFailures: again
      .filter((id): id is string => id !== null)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}

// No middlewares: partial batch responses are the whole error contract of an SQS consumer.
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(handleBatch);
