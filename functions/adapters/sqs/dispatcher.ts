/**
 * Sends job messages to the tier queues. The message carries the job id, its fencing epoch and a snapshot of
 * the few fields the worker's claim is computed from (core/job-snapshot.ts: a first delivery claims without
 * reading the job); the job itself lives in DynamoDB. The user id is the MessageGroupId, so SQS fair queues
 * keep one busy user from starving the others within a tier.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Job } from '../../core/job.ts';
import { parseSnapshot, snapshotOf } from '../../core/job-snapshot.ts';
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
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrls[job.tier],
        MessageBody: jobMessageBody(job),
        MessageGroupId: job.userId,
        DelaySeconds: Math.min(900, Math.max(0, Math.ceil(options.delaySeconds ?? 0))),
      }),
    );
  }
}

/** The body of the message of `job` as it was just written (its `seq` the stored one). */
export function jobMessageBody(job: Job): string {
  const message: JobMessage = { jobId: job.id, epoch: job.epoch, snapshot: snapshotOf(job) };
  return JSON.stringify(message);
}

/** Parses a message body; anything else is not ours. A snapshot that is not one is left out. */
export function parseJobMessage(body: string): JobMessage | null {
  try {
    const value = JSON.parse(body) as Partial<Record<keyof JobMessage, unknown>>;
    if (typeof value.jobId === 'string' && Number.isInteger(value.epoch)) {
      const snapshot = parseSnapshot(value.snapshot);
      return { jobId: value.jobId, epoch: value.epoch as number, ...(snapshot && { snapshot }) };
    }
  } catch {
    // not JSON
  }
  return null;
}
