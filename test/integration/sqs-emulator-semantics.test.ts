import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { sqsClient, uniquePrefix } from '../support/emulators.ts';

// Checks that the SQS emulator behaves like SQS where our queue tiers, retries and DLQs depend on it.
// Timings are short (1-3 s); waits poll with generous deadlines, and "not yet visible" is only asserted
// right after the call that hid the message, far inside the hiding window.

const sqs = sqsClient();
const prefix = uniquePrefix('sqs-semantics');
let queueCount = 0;

afterAll(() => sqs.destroy());

async function createQueue(attributes: Record<string, string> = {}) {
  const { QueueUrl: url } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${++queueCount}`, Attributes: attributes }),
  );
  if (!url) throw new Error('CreateQueue returned no QueueUrl');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: Attributes?.QueueArn ?? '' };
}

async function receive(url: string, waitTimeSeconds = 0, max = 10): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** Short-polls until a message arrives (fails after the deadline). */
async function receiveOne(url: string, timeoutMs = 10_000): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [message] = await receive(url, 0, 1);
    if (message) return message;
    await sleep(50);
  }
  throw new Error(`no message on ${url} within ${timeoutMs} ms`);
}

async function counts(url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

async function eventuallyCounts(url: string, expected: Awaited<ReturnType<typeof counts>>) {
  const deadline = Date.now() + 10_000;
  let last = await counts(url);
  while (Date.now() < deadline && JSON.stringify(last) !== JSON.stringify(expected)) {
    await sleep(100);
    last = await counts(url);
  }
  expect(last).toEqual(expected);
}

const receiveCount = (m: Message) => Number(m.Attributes?.ApproximateReceiveCount);

describe('SQS emulator semantics', () => {
  it('increments ApproximateReceiveCount by exactly 1 per receive', async () => {
    const { url } = await createQueue({ VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'count-me' }));

    const seen: number[] = [];
    for (let i = 0; i < 3; i++) seen.push(receiveCount(await receiveOne(url)));

    expect(seen).toEqual([1, 2, 3]);
  });

  it('increments ApproximateReceiveCount by exactly 1 with several concurrent long pollers', async () => {
    const { url } = await createQueue({ VisibilityTimeout: '1' });
    const deliveries = new Map<string, number[]>();
    const rounds = 3;
    const done = () => deliveries.size === 3 && [...deliveries.values()].every((c) => c.length >= rounds);
    const deadline = Date.now() + 30_000;

    const poller = async () => {
      while (!done() && Date.now() < deadline) {
        for (const m of await receive(url, 2)) {
          const id = m.MessageId ?? '';
          deliveries.set(id, [...(deliveries.get(id) ?? []), receiveCount(m)]);
        }
      }
    };
    const pollers = Array.from({ length: 4 }, poller);
    await sleep(200); // let the pollers block in long polls before anything is sent
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    await Promise.all(pollers);

    expect(deliveries.size).toBe(3);
    for (const seen of deliveries.values()) {
      // In delivery order, each receive adds exactly one; a jump or a repeat would show here.
      expect(seen.slice(0, rounds)).toEqual([1, 2, 3]);
      expect(seen.every((count, i) => count === i + 1)).toBe(true);
    }
  });

  it.each(['CreateQueue', 'SetQueueAttributes'])(
    'moves a message to the DLQ after maxReceiveCount receives (RedrivePolicy via %s)',
    async (via) => {
      const dlq = await createQueue();
      const redrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
      const source =
        via === 'CreateQueue'
          ? await createQueue({ VisibilityTimeout: '1', RedrivePolicy: redrivePolicy })
          : await createQueue({ VisibilityTimeout: '1' });
      if (via === 'SetQueueAttributes') {
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: source.url,
            Attributes: { RedrivePolicy: redrivePolicy },
          }),
        );
      }
      const { MessageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'poison' }),
      );

      expect(receiveCount(await receiveOne(source.url))).toBe(1);
      expect(receiveCount(await receiveOne(source.url))).toBe(2);
      // SQS moves the message on the next receive attempt once it reappears; it must not be delivered again.
      const deadline = Date.now() + 10_000;
      let inDlq: Message | undefined;
      while (!inDlq && Date.now() < deadline) {
        expect(await receive(source.url)).toEqual([]);
        [inDlq] = await receive(dlq.url, 0, 1);
        if (!inDlq) await sleep(100);
      }

      expect(inDlq).toMatchObject({ MessageId, Body: 'poison' });
    },
  );

  it('ChangeMessageVisibility hides a message until the new timeout, and 0 makes it visible at once', async () => {
    const { url } = await createQueue({ VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'extend-me' }));
    const first = await receiveOne(url);

    const changedAt = Date.now();
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.ReceiptHandle,
        VisibilityTimeout: 2,
      }),
    );
    expect(await receive(url)).toEqual([]);
    const second = await receiveOne(url);
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(1_900);
    expect(second.MessageId).toBe(first.MessageId);
    expect(receiveCount(second)).toBe(2);

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = await receive(url);
    expect(third.map((m) => m.MessageId)).toEqual([first.MessageId]);
  });

  it('DelaySeconds on SendMessage hides the message for that long', async () => {
    const { url } = await createQueue();
    const sentAt = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 2 }));

    expect(await receive(url)).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    const message = await receiveOne(url);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_900);
    expect(message.Body).toBe('later');
  });

  it('DeleteMessage removes the message for good', async () => {
    const { url } = await createQueue({ VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'done' }));
    const message = await receiveOne(url);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));

    // Had the delete not happened, the message would be back after 1 s, well inside this 2 s long poll.
    expect(await receive(url, 2)).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('reports visible, in-flight and delayed counts, and updates them when timeouts expire', async () => {
    const { url } = await createQueue({ VisibilityTimeout: '2' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ready-1' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ready-2' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 2 }));
    await receiveOne(url);

    await eventuallyCounts(url, { visible: 1, inFlight: 1, delayed: 1 });
    // Nobody receives from here on: the counts must move without a receive to nudge them.
    await eventuallyCounts(url, { visible: 3, inFlight: 0, delayed: 0 });
  });

  it('accepts MessageGroupId on a standard queue (fair queues)', async () => {
    const { url } = await createQueue();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'tenant-a', MessageGroupId: 'tenant-a' }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: 'b', MessageBody: 'tenant-b', MessageGroupId: 'tenant-b' }],
      }),
    );

    const bodies = [(await receiveOne(url)).Body, (await receiveOne(url)).Body];
    expect(bodies.sort()).toEqual(['tenant-a', 'tenant-b']);
  });

  it('answers one waiting long poll per message; the other polls keep waiting instead of returning empty', async () => {
    const { url } = await createQueue();
    const answers: Message[][] = [];
    const polls = Array.from({ length: 4 }, () =>
      receive(url, 20, 1).then((messages) => {
        answers.push(messages);
        return messages;
      }),
    );
    await sleep(500); // let the four polls block before anything is sent

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first' }));
    const deadline = Date.now() + 10_000;
    while (answers.length === 0 && Date.now() < deadline) await sleep(20);
    await sleep(500); // time for any wrongly woken poll to come back empty
    expect(answers).toEqual([[expect.objectContaining({ Body: 'first' })]]);

    // Each later message is answered by one of the polls still waiting, never an empty answer.
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['second', 'third', 'fourth'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const bodies = (await Promise.all(polls)).map((messages) => messages.map((m) => m.Body));
    expect(bodies.flat().sort()).toEqual(['first', 'fourth', 'second', 'third']);
    expect(bodies.every((received) => received.length === 1)).toBe(true);
  });
});
