/**
 * The webhook delivery queue on SQS. A failed attempt is retried by leaving its message in the queue with
 * its visibility timeout set to the retry delay (no re-send, so the message, its id and its receive count
 * carry over); a delivery given up after 24 hours is moved to the dead-letter queue for inspection.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../../usecases/webhooks/ports.ts';

/** SQS's largest send batch: 10 messages and 1 MiB in all (a job event body can be a few hundred KB). */
const BATCH = 10;
const BATCH_BYTES = 1024 * 1024 - 16 * 1024;

/** Consecutive groups of at most BATCH bodies and BATCH_BYTES bytes (a body alone always forms a group). */
export function chunks(bodies: string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (current.length > 0 && (current.length === BATCH || bytes + size > BATCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export class DeliveryQueueError extends Error {
  override readonly name = 'DeliveryQueueError';
}

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: { queueUrl: string; deadLetterQueueUrl?: string | undefined },
  ) {}

  async send(messages: DeliveryMessage[]): Promise<void> {
    for (const chunk of chunks(messages.map((message) => JSON.stringify(message)))) {
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.urls.queueUrl,
          Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
      if (result.Failed && result.Failed.length > 0)
        throw new DeliveryQueueError(
          `${result.Failed.length} delivery messages not queued: ${result.Failed[0]?.Code ?? 'unknown'}`,
        );
    }
  }

  /** The message comes back after `seconds` (SQS's visibility timeout, at most 12 hours). */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.urls.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(43_200, Math.max(0, Math.round(seconds))),
      }),
    );
  }

  /** A delivery that failed for 24 hours, kept in the dead-letter queue. */
  async deadLetter(body: string): Promise<void> {
    if (!this.urls.deadLetterQueueUrl) throw new DeliveryQueueError('no dead-letter queue configured');
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.urls.deadLetterQueueUrl, MessageBody: body }),
    );
  }
}

/** A queue message as a delivery, or null when it is not one. */
export function parseDeliveryMessage(body: string): DeliveryMessage | null {
  try {
    const value = JSON.parse(body) as Partial<DeliveryMessage>;
    if (
      typeof value.id === 'string' &&
      typeof value.userId === 'string' &&
      typeof value.webhookId === 'string' &&
      typeof value.createdAt === 'string' &&
      typeof value.event === 'string' &&
      typeof value.body === 'string'
    )
      return { ...value, jobId: value.jobId ?? null } as DeliveryMessage;
  } catch {
    // not JSON
  }
  return null;
}
