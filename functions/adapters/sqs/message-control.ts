/** The SQS side of one received message: changing its visibility (heartbeat extension, retry backoff). */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageControl } from '../../usecases/run-job.ts';
import type { QueueUrls } from './dispatcher.ts';

/** SQS refuses visibility timeouts above 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export function messageControl(client: SQSClient, queueUrl: string, receiptHandle: string): MessageControl {
  return {
    async setVisibility(seconds) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds))),
        }),
      );
    },
  };
}

/** The URL of the queue an event came from, found by the queue name at the end of its ARN. */
export function queueUrlForArn(arn: string, urls: QueueUrls | string[]): string | undefined {
  const name = arn.split(':').at(-1);
  const candidates = Array.isArray(urls) ? urls : Object.values(urls);
  return candidates.find((url) => url.replace(/\/+$/, '').split('/').at(-1) === name);
}
