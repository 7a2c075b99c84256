import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  FunctionTimeoutError,
  type SqsPoller,
  type SqsPollerOptions,
  startSqsPoller,
  UnknownBatchItemError,
} from '../../functions/local/event-source/sqs-poller.ts';
import { fenceClient } from '../../functions/local/invoke-with-timeout.ts';
import { sqsClient, uniquePrefix } from '../support/emulators.ts';

const sqs = sqsClient();
const prefix = uniquePrefix('sqs-poller');
let queueCount = 0;
const running: SqsPoller[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(() => sqs.destroy());

async function createQueue(visibilityTimeout = 1) {
  const { QueueUrl: url } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${++queueCount}`,
      Attributes: { VisibilityTimeout: String(visibilityTimeout) },
    }),
  );
  if (!url) throw new Error('CreateQueue returned no QueueUrl');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: Attributes?.QueueArn ?? '' };
}

async function sendBodies(url: string, bodies: string[]) {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `m${i + j}`, MessageBody: body })),
      }),
    );
  }
}

function poll(
  queue: { url: string; arn: string },
  handler: SqsPollerOptions['handler'],
  overrides: Partial<SqsPollerOptions> = {},
) {
  const errors: unknown[] = [];
  const poller = startSqsPoller({
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: 10,
    maxConcurrency: 1,
    waitTimeSeconds: 1,
    functionTimeoutMs: 10_000,
    handler,
    onError: (err) => errors.push(err),
    ...overrides,
  });
  running.push(poller);
  return { poller, errors };
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Receives until `expected` distinct messages were seen (then deletes them), to see what the poller left. */
async function drain(url: string, expected: number): Promise<string[]> {
  const bodies = new Map<string, string>();
  const deadline = Date.now() + 15_000;
  while (bodies.size < expected && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of Messages) bodies.set(m.MessageId ?? '', m.Body ?? '');
    await deleteAll(url, Messages);
  }
  // Anything not deleted by the poller would be back within the 1 s visibility timeout.
  const { Messages: extra = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }),
  );
  return [...bodies.values(), ...extra.map((m) => `unexpected:${m.Body}`)].sort();
}

async function deleteAll(url: string, messages: Message[]) {
  if (messages.length === 0) return;
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
}

describe('SQS poller (local Lambda event source mapping)', () => {
  it('builds a Lambda-shaped SQS event and a counting-down context', async () => {
    const queue = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"jobId":"j-1"}',
        MessageAttributes: {
          tier: { DataType: 'String', StringValue: 'high' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      }),
    );
    const invocations: { event: SQSEvent; remaining: number[] }[] = [];
    poll(
      queue,
      async (event, context: Context) => {
        const first = context.getRemainingTimeInMillis();
        await sleep(50);
        invocations.push({ event, remaining: [first, context.getRemainingTimeInMillis()] });
      },
      { functionTimeoutMs: 5_000 },
    );

    await until(() => invocations.length === 1);
    const [{ event, remaining } = { event: { Records: [] }, remaining: [] }] = invocations;
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"jobId":"j-1"}',
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
      },
      messageAttributes: {
        tier: { dataType: 'String', stringValue: 'high', stringListValues: [], binaryListValues: [] },
        blob: { dataType: 'Binary', binaryValue: Buffer.from('hi').toString('base64') },
      },
    });
    const [first = 0, later = 0] = remaining;
    expect(first).toBeLessThanOrEqual(5_000);
    expect(first).toBeGreaterThan(3_000);
    expect(later).toBeLessThan(first);
  });

  it('deletes only the records not listed in batchItemFailures', async () => {
    const queue = await createQueue();
    await sendBodies(queue.url, ['ok-1', 'fail-1', 'ok-2', 'fail-2', 'ok-3']);
    const seen = new Set<string>();
    const { poller } = poll(queue, async (event): Promise<SQSBatchResponse> => {
      for (const r of event.Records) seen.add(r.body);
      return {
        batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });

    await until(() => seen.size === 5);
    await poller.stop();

    expect(await drain(queue.url, 2)).toEqual(['fail-1', 'fail-2']);
  });

  it('deletes nothing when the handler throws', async () => {
    const queue = await createQueue();
    await sendBodies(queue.url, ['a', 'b', 'c']);
    const seen = new Set<string>();
    const { poller, errors } = poll(queue, async (event) => {
      for (const r of event.Records) seen.add(r.body);
      throw new Error('handler crashed');
    });

    await until(() => seen.size === 3);
    await poller.stop();

    expect(errors[0]).toMatchObject({ message: 'handler crashed' });
    expect(await drain(queue.url, 3)).toEqual(['a', 'b', 'c']);
  });

  it('deletes nothing when batchItemFailures names a record that is not in the batch', async () => {
    const queue = await createQueue();
    await sendBodies(queue.url, ['x', 'y']);
    const seen = new Set<string>();
    const { poller, errors } = poll(queue, async (event) => {
      for (const r of event.Records) seen.add(r.body);
      return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });

    await until(() => seen.size === 2);
    await poller.stop();

    expect(errors[0]).toBeInstanceOf(UnknownBatchItemError);
    expect(await drain(queue.url, 2)).toEqual(['x', 'y']);
  });

  it('treats a handler that outlives functionTimeoutMs as failed', async () => {
    const queue = await createQueue();
    await sendBodies(queue.url, ['slow']);
    let calls = 0;
    const { poller, errors } = poll(
      queue,
      async () => {
        calls++;
        await sleep(600);
      },
      { functionTimeoutMs: 200 },
    );

    await until(() => errors.length > 0);
    await poller.stop();

    expect(calls).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(FunctionTimeoutError);
    expect(await drain(queue.url, 1)).toEqual(['slow']);
  });

  it('keeps a timed-out invocation counted until it stops, and refuses its SQS calls after the timeout', async () => {
    const queue = await createQueue(30);
    const fencedSqs = sqsClient();
    fenceClient(fencedSqs);
    await sendBodies(queue.url, ['first', 'second']);
    const events: string[] = [];
    const { poller, errors } = poll(
      queue,
      async (event) => {
        const body = event.Records[0]?.body ?? '';
        events.push(`start ${body}`);
        if (body !== 'first') return;
        await sleep(800);
        // A write after the timeout: Lambda would have ended the invocation before it.
        await fencedSqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'late write' })).then(
          () => events.push('late write sent'),
          (error: unknown) => events.push(`late write refused: ${(error as Error).name}`),
        );
        events.push('end first');
      },
      { batchSize: 1, maxConcurrency: 1, functionTimeoutMs: 200 },
    );
    await until(() => events.includes('start second'));
    await poller.stop();
    fencedSqs.destroy();
    expect(errors[0]).toBeInstanceOf(FunctionTimeoutError);
    // The only slot stayed taken until the timed-out handler returned.
    expect(events.indexOf('end first')).toBeLessThan(events.indexOf('start second'));
    expect(events).toContain('late write refused: InvocationKilledError');
    expect(events).not.toContain('late write sent');
  });

  it('fills batches larger than one SQS receive (10) and deletes them all', async () => {
    const queue = await createQueue(30);
    await sendBodies(
      queue.url,
      Array.from({ length: 15 }, (_, i) => `bulk-${i}`),
    );
    const batchSizes: number[] = [];
    const { poller, errors } = poll(
      queue,
      async (event) => {
        batchSizes.push(event.Records.length);
      },
      { batchSize: 15 },
    );

    await until(() => batchSizes.reduce((a, b) => a + b, 0) === 15);
    await poller.stop();

    expect(batchSizes).toEqual([15]);
    expect(errors).toEqual([]);
    expect(await drain(queue.url, 0)).toEqual([]);
  });

  it('never runs more than maxConcurrency invocations at once', async () => {
    const queue = await createQueue(30);
    await sendBodies(
      queue.url,
      Array.from({ length: 12 }, (_, i) => `job-${i}`),
    );
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    poll(
      queue,
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(150);
        inFlight--;
        done++;
      },
      { batchSize: 1, maxConcurrency: 3 },
    );

    await until(() => done === 12);

    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('stop() waits for in-flight invocations, whose records are then deleted', async () => {
    const queue = await createQueue();
    await sendBodies(queue.url, ['in-flight']);
    let started = false;
    let finished = false;
    const { poller } = poll(queue, async () => {
      started = true;
      await sleep(500);
      finished = true;
    });

    await until(() => started);
    await poller.stop();

    expect(finished).toBe(true);
    expect(await drain(queue.url, 0)).toEqual([]);
  });

  it('reports SQS errors through onError and keeps running until stopped', async () => {
    const missing = {
      url: `${(await createQueue()).url}-missing`,
      arn: 'arn:aws:sqs:us-east-1:000000000000:missing',
    };
    const { poller, errors } = poll(missing, async () => {});

    await until(() => errors.length >= 2);
    await poller.stop();

    expect(errors[0]).toMatchObject({ name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/) });
  });
});
