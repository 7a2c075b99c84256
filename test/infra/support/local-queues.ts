/** The CreateQueue inputs of the local provisioning (prefix `parity`), captured with a fake SQS client. */
import type { CreateQueueCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { provisionQueues } from '../../../functions/local/provision.ts';

export async function createdQueues() {
  const created: CreateQueueCommandInput[] = [];
  const fakeSqs = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      if (command.constructor.name === 'CreateQueueCommand') {
        const input = command.input as unknown as CreateQueueCommandInput;
        created.push(input);
        return { QueueUrl: `http://sqs.local/000000000000/${input.QueueName}` };
      }
      const url = String(command.input.QueueUrl);
      return { Attributes: { QueueArn: `arn:aws:sqs:local:000000000000:${url.split('/').at(-1)}` } };
    },
  } as unknown as SQSClient;
  await provisionQueues(fakeSqs, 'parity');
  return {
    created,
    attributesOf: (name: string) => created.find((input) => input.QueueName === name)?.Attributes ?? {},
  };
}
