/**
 * The tier dead-letter queues read by the maintenance run (usecases/dead-letter-drain.ts through
 * adapters/sqs/dead-letter-queues.ts) on the SQS emulator and DynamoDB Local: a message SQS's own redrive
 * moved to a DLQ gets its job marked dead and is deleted; one whose job could not be written stays and is
 * handled by a later run; stale and foreign messages are deleted; a backlog is read ten at a time.
 */
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { SqsDeadLetterQueues } from '../../functions/adapters/sqs/dead-letter-queues.ts';
import { SqsQueueInspector } from '../../functions/adapters/sqs/queue-inspector.ts';
import { TestClock } from '../../functions/core/clock.ts';
import type { JobStore } from '../../functions/core/ports.ts';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { drainDeadLetters } from '../../functions/usecases/dead-letter-drain.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';

const sqs = sqsClient();
let store: DynamoJobStore;
let queues: LocalQueues;
let inspector: SqsQueueInspector;
let deadLetters: SqsDeadLetterQueues;

beforeAll(async () => {
  const prefix = uniquePrefix('dlq-drain');
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix, { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  // A received dead letter hides for the maintenance run's timeout as deployed; 1 s here, so the test
  // can see a kept message come back.
  for (const tier of TIERS)
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queues.deadLetterUrls[tier],
        Attributes: { VisibilityTimeout: '1' },
      }),
    );
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 30 });
  inspector = new SqsQueueInspector(sqs, queues.urls, queues.deadLetterUrls);
  deadLetters = new SqsDeadLetterQueues(sqs, queues.deadLetterUrls);
});

const drain = (jobStore: JobStore = store) =>
  drainDeadLetters({ store: jobStore, clock: new TestClock(), logger: silentLogger, deadLetters });

const deadLettered = async (tier: Tier) => (await inspector.depths())[tier].deadLettered;

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('dead letters read by the maintenance run', () => {
  it('SQS moves a message nobody finishes to the DLQ; the run marks its job dead and deletes it', async () => {
    const job = aJob({ userId: 'dlq', status: 'running', attempt: 1, epoch: 1, tier: 'low' });
    await store.create(job);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.urls.low,
        MessageBody: JSON.stringify({ jobId: job.id, epoch: 1 }),
      }),
    );
    // A worker that keeps crashing: receive, never delete, let the visibility lapse (maxReceiveCount 2).
    // The DLQ itself is only looked at through its depth, so the run is the first to receive from it.
    await until(async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.urls.low, WaitTimeSeconds: 1 }));
      return (await deadLettered('low')) >= 1;
    });

    expect(await drain()).toBe(1);
    expect(await store.get(job.id)).toMatchObject({
      status: 'dead',
      error: { code: 'dead_lettered', retryable: false },
    });
    // The receive count SQS kept across the redrive reaches the job's error.
    expect((await store.get(job.id))?.error?.message).toMatch(/received [1-9]\d* times/);
    expect(await deadLettered('low')).toBe(0);
    expect(await drain()).toBe(0);
  });

  it('keeps a message whose job could not be written; a later run buries it', async () => {
    const job = aJob({ userId: 'dlq', status: 'queued', epoch: 4, tier: 'high' });
    await store.create(job);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.deadLetterUrls.high,
        MessageBody: JSON.stringify({ jobId: job.id, epoch: 4 }),
      }),
    );
    const throttled: JobStore = Object.assign(Object.create(store), {
      apply: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    });

    expect(await drain(throttled)).toBe(0);
    expect((await store.get(job.id))?.status).toBe('queued');
    expect(await deadLettered('high')).toBe(1);

    // Visible again once its visibility timeout lapsed: the next run handles it.
    const handled = await until(async () => (await drain()) === 1);
    expect(handled).toBe(true);
    expect((await store.get(job.id))?.status).toBe('dead');
    expect(await deadLettered('high')).toBe(0);
  });

  it('deletes stale and foreign messages, and reads a backlog ten at a time until it is empty', async () => {
    const requeued = aJob({ userId: 'dlq', status: 'queued', epoch: 3, tier: 'critical' });
    await store.create(requeued);
    const bodies = [
      'not a job message',
      ...Array.from({ length: 24 }, () => JSON.stringify({ jobId: requeued.id, epoch: 2 })),
    ];
    for (let start = 0; start < bodies.length; start += 10)
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.deadLetterUrls.critical,
          Entries: bodies.slice(start, start + 10).map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );

    let handled = 0;
    // One run reads them all; a short poll may return fewer than are there, a later run gets the rest.
    await until(async () => {
      handled += await drain();
      return handled === bodies.length;
    });
    expect(await store.get(requeued.id)).toEqual(requeued);
    expect(await deadLettered('critical')).toBe(0);
  });
});
