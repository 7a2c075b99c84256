/**
 * Sends job messages to the tier queues. The message carries only the job id and its fencing epoch; the job
 * itself lives in DynamoDB. The user id is the MessageGroupId, so SQS fair queues keep one busy user from
 * starving the others within a tier.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Job } from '../../core/job.ts';
import type { Dispatcher } from '../../core/ports.ts';
import type { Tier } from '../../core/tiers.ts';
import type { JobMessage } from '../../usecases/run-job.ts';

export type QueueUrls = Record<Tier, string>;

export class SqsDispatcher implements Dispatcher {
  readonly #client: SQSClient;
  readonly #queueUrls: QueueUrls;

  constructor(client: SQSClient, queueUrls: QueueUrls) {
    this.#client = client;
    this.#queueUrls = queueUrls;
  }

  async dispatch(job: Job, options: { delaySeconds?: number } = {}): Promise<void> {
    const message: JobMessage = { jobId: job.id, epoch: job.epoch };
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrls[job.tier],
        MessageBody: JSON.stringify(message),
        MessageGroupId: job.userId,
        DelaySeconds: Math.min(900, Math.max(0, Math.ceil(options.delaySeconds ?? 0))),
      }),
    );
  }
}

/** Parses a message body; anything else is not ours. */
export function parseJobMessage(body: string): JobMessage | null {
  try {
    const value = JSON.parse(body) as Partial<JobMessage>;
    if (typeof value.jobId === 'string' && Number.isInteger(value.epoch)) {
      return { jobId: value.jobId, epoch: value.epoch as number };
    }
  } catch {
    // not JSON
  }
  return null;
}
