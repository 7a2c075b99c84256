/**
 * The local stand-in for a disabled event source mapping: a paused poller invokes nothing, a long poll
 * that was already waiting when it paused hands its message straight back to the queue (visible at once,
 * not after the visibility timeout), and resuming delivers what waited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type SqsPoller, startSqsPoller } from '../../functions/local/event-source/sqs-poller.ts';
import { sqsClient, uniquePrefix } from '../support/emulators.ts';
import { eventually } from '../support/http-client.ts';

const sqs = sqsClient();
const prefix = uniquePrefix('sqs-poller-pause');
let queueCount = 0;
const running: SqsPoller[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(() => sqs.destroy());

async function createQueue() {
  // A long visibility timeout: a message hidden by a receive would stay hidden for the whole test.
  const { QueueUrl: url = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${++queueCount}`,
      Attributes: { VisibilityTimeout: '600' },
    }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: Attributes?.QueueArn ?? '' };
}

function start(queue: { url: string; arn: string }, bodies: string[], paused = false) {
  const poller = startSqsPoller({
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: 10,
    maxConcurrency: 1,
    waitTimeSeconds: 5,
    functionTimeoutMs: 10_000,
    paused,
    handler: async (event: SQSEvent) => {
      bodies.push(...event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    },
  });
  running.push(poller);
  return poller;
}

describe('a paused SQS poller', () => {
  it('started paused receives nothing until resumed', async () => {
    const queue = await createQueue();
    const bodies: string[] = [];
    const poller = start(queue, bodies, true);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'waiting' }));
    await sleep(2000);
    expect(bodies).toEqual([]);
    expect(poller.paused).toBe(true);
    poller.resume();
    await eventually(async () => bodies.includes('waiting'), 30_000);
  });

  it('gives a message its waiting long poll brings back after the pause straight back to the queue', async () => {
    const queue = await createQueue();
    const bodies: string[] = [];
    const poller = start(queue, bodies);
    // Let the loop enter its long poll, then pause and send while that poll still waits.
    await sleep(500);
    poller.pause();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'late' }));
    await sleep(1000);
    expect(bodies).toEqual([]);
    // Visible again well before the 600 s visibility timeout: another consumer gets it.
    const received = await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }),
      );
      return Messages.length > 0 && Messages;
    }, 30_000);
    expect(received[0]?.Body).toBe('late');
    expect(bodies).toEqual([]);
  });
});
