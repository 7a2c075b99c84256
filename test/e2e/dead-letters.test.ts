/**
 * Dead letters on the local stack, as deployed: the tier dead-letter queues have no poller; the
 * maintenance run (its timer every 3 s here) reads them, marks the jobs dead and deletes the messages.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { dynamoClient, sqsClient } from '../support/emulators.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { aJob } from '../support/job-factory.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

type Client = ReturnType<typeof apiClient>;
type Stats = { tiers: Record<string, { deadLettered: number }> };

let stack: LocalStack | undefined;
let admin: Client;
let user: Client;

beforeAll(async () => {
  stack = await startTestStack('dead-letters', { maintenanceIntervalMs: 3000 });
  admin = apiClient(stack.httpUrl, await tokenFor('ops', true));
  user = apiClient(stack.httpUrl, await tokenFor('dlq-user'));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const deadLettered = async (tier: string) =>
  (await admin.get<Stats>('/queue/stats')).body.tiers[tier]?.deadLettered;

describe('dead letters', () => {
  it('are read by the maintenance run, which marks the job dead and deletes them', async () => {
    if (!stack) throw new Error('no stack');
    const store = new DynamoJobStore({
      client: dynamoClient(),
      tableName: stack.tables.Jobs as string,
      retentionDays: 30,
    });
    // A queued job whose message a worker kept crashing on (no worker here: the job is written directly).
    const job = aJob({ userId: 'dlq-user', status: 'queued', tier: 'low', epoch: 2 });
    await store.create(job);
    // The message SQS's redrive would have moved there after the worker kept crashing on it.
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: stack.queues.deadLetterUrls[job.tier],
        MessageBody: JSON.stringify({ jobId: job.id, epoch: job.epoch }),
      }),
    );

    const dead = await eventually(async () => {
      const view = (await user.get<{ job: JobView }>(`/jobs/${job.id}`)).body.job;
      return view.status === 'dead' && view;
    }, 30_000);
    expect(dead).toMatchObject({ status: 'dead', error: { code: 'dead_lettered', retryable: false } });
    expect(await deadLettered(job.tier)).toBe(0);
  });
});
