/**
 * The tier dead-letter queues as the maintenance run reads them (usecases/dead-letter-drain.ts): short
 * polls (WaitTimeSeconds 0, so an empty queue costs one request and no wait) of up to 10 messages, and
 * batch deletes of the handled ones. A short poll samples a subset of SQS's servers and may miss a message
 * in a nearly empty queue; the next run, a minute later, reads it.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Tier } from '../../core/tiers.ts';
import type { DeadLetterMessage, DeadLetterQueues } from '../../usecases/dead-letter-drain.ts';
import { parseJobMessage, type QueueUrls } from './dispatcher.ts';

/** SQS's most messages per receive and per batch delete. */
const BATCH = 10;

export class SqsDeadLetterQueues implements DeadLetterQueues {
  readonly #client: SQSClient;
  readonly #urls: QueueUrls;

  constructor(client: SQSClient, urls: QueueUrls) {
    this.#client = client;
    this.#urls = urls;
  }

  async receive(tier: Tier): Promise<DeadLetterMessage[]> {
    const { Messages = [] } = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#urls[tier],
        MaxNumberOfMessages: BATCH,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return Messages.flatMap((message) => {
      if (!message.MessageId || !message.ReceiptHandle) return [];
      const body = message.Body ?? '';
      return [
        {
          id: message.MessageId,
          job: parseJobMessage(body) ?? undefined,
          body,
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
          receipt: message.ReceiptHandle,
        },
      ];
    });
  }

  async delete(tier: Tier, messages: DeadLetterMessage[]): Promise<string[]> {
    const failed: string[] = [];
    for (let start = 0; start < messages.length; start += BATCH) {
      const batch = messages.slice(start, start + BATCH);
      const { Failed = [] } = await this.#client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#urls[tier],
          Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receipt })),
        }),
      );
      for (const entry of Failed) {
        const message = batch[Number(entry.Id)];
        if (message) failed.push(message.id);
      }
    }
    return failed;
  }
}
