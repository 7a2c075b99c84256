/**
 * The webhook delivery queue's event source runs only while some webhook exists, on the local stack (the
 * delivery queue's poller behind the local Lambda API, switched with the SDK calls used deployed): a stack
 * without webhooks does not receive from that queue; registering turns it on before answering and a
 * delivery arrives; removing the last webhook turns it off; the maintenance run (every 2 s here) turns
 * it back to "some webhook exists" when someone switched it behind its back.
 */
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { WEBHOOK_ENV } from '../../functions/wiring/webhooks-config.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';
import { startReceiver } from '../support/webhook-receiver.ts';

let stack: LocalStack;
let lambda: LambdaClient;
let uuid: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  stack = await startTestStack('hook-idle', { maintenanceIntervalMs: 2000 });
  // The stack points its handlers at its local Lambda API and names the mapping in the environment.
  lambda = new LambdaClient(localClientConfig(process.env.AWS_ENDPOINT_URL_LAMBDA ?? ''));
  uuid = process.env[WEBHOOK_ENV.eventSourceMapping] ?? '';
});

afterAll(async () => {
  for (const close of closers) await close();
  await stack?.stop();
});

const mappingState = async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;

async function receiver() {
  const started = await startReceiver();
  closers.push(started.close);
  return started;
}

type Created = { webhook: { id: string } };

describe('the webhook delivery event source', () => {
  it('receives nothing from the delivery queue while no webhook exists', async () => {
    expect(uuid).toMatch(/webhook-delivery/);
    expect(await mappingState()).toBe('Disabled');
    // A message put on the queue is not received by anyone: a running poller would have taken it (and
    // dropped it, as it is no delivery), so our own receive would find nothing or a higher receive count.
    const sqs = new SQSClient(localClientConfig(stack.sqsEndpoint));
    const queueUrl = stack.queues.webhooks.url;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"probe":true}' }));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Messages.map((message) => [message.Body, message.Attributes?.ApproximateReceiveCount])).toEqual([
      ['{"probe":true}', '1'],
    ]);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0]?.ReceiptHandle }),
    );
    // The maintenance run (every 2 s) leaves it off.
    expect(await mappingState()).toBe('Disabled');
  });

  it('is on from the first registration to the removal of the last webhook, and delivers meanwhile', async () => {
    const alice = apiClient(stack.httpUrl, await tokenFor('idle-alice'));
    const bob = apiClient(stack.httpUrl, await tokenFor('idle-bob'));
    const hook = await receiver();
    const first = await alice.post<Created>('/webhooks', { url: hook.url, events: ['job.completed'] });
    expect(first.status).toBe(201);
    // Switched before the 201.
    expect(await mappingState()).toBe('Enabled');
    const second = await bob.post<Created>('/webhooks', { url: hook.url });
    expect(second.status).toBe(201);

    const job = await alice.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 'idle' },
    });
    await eventually(
      async () => hook.received.some((message) => message.body.includes(job.body.job.id)),
      60_000,
    );

    expect((await alice.delete(`/webhooks/${first.body.webhook.id}`)).status).toBe(204);
    // Bob's webhook is left: still on, through the maintenance runs.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await mappingState()).toBe('Enabled');
    expect((await bob.delete(`/webhooks/${second.body.webhook.id}`)).status).toBe(204);
    await eventually(async () => (await mappingState()) === 'Disabled');
  });

  it('is switched back by the maintenance run when someone switched it behind its back', async () => {
    const carol = apiClient(stack.httpUrl, await tokenFor('idle-carol'));
    const hook = await receiver();
    const created = await carol.post<Created>('/webhooks', { url: hook.url, events: ['job.completed'] });
    expect(await mappingState()).toBe('Enabled');

    // As a redeploy that resets it to the template's Enabled: false: a delivery waits in the queue...
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    expect(await mappingState()).toBe('Disabled');
    const job = await carol.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 'behind its back' },
    });
    // ... until the maintenance run switches the mapping on again, then it arrives.
    await eventually(async () => (await mappingState()) === 'Enabled', 60_000);
    await eventually(
      async () => hook.received.some((message) => message.body.includes(job.body.job.id)),
      60_000,
    );

    expect((await carol.delete(`/webhooks/${created.body.webhook.id}`)).status).toBe(204);
    expect(await mappingState()).toBe('Disabled');
    // And a mapping switched on with no webhook left is switched off again.
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    await eventually(async () => (await mappingState()) === 'Disabled', 60_000);
  });
});
