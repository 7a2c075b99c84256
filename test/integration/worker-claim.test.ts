/**
 * The worker's fencing against the real emulators: the same SQS message delivered twice at once runs the
 * job once, and a message from an older epoch is dropped.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { parseJobMessage, SqsDispatcher } from '../../functions/adapters/sqs/dispatcher.ts';
import { messageControl } from '../../functions/adapters/sqs/message-control.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { type RunJobDeps, runJob } from '../../functions/usecases/run-job.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';

const sqs = sqsClient();
let store: DynamoJobStore;
let queues: LocalQueues;
let runs = 0;
let deps: RunJobDeps;

beforeAll(async () => {
  const prefix = uniquePrefix('claim');
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix);
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 1 });
  const agents = new AgentRegistry().register('count', {
    run: command({
      description: 'counts its runs',
      params: z.object({}),
      run: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { runs };
      },
    }),
  });
  deps = {
    store,
    agents,
    clock: systemClock,
    logger: silentLogger,
    heartbeatMs: 1000,
    staleAfterMs: 60_000,
    progressIntervalMs: 1000,
  };
});

async function receiveOne(queueUrl: string) {
  for (let i = 0; i < 20; i++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = Messages?.[0];
    if (message) return message;
  }
  throw new Error('no message arrived');
}

describe('claiming a job from an SQS message', () => {
  it('runs the job once when the same message is processed twice concurrently', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {}, userId: 'claim-user' });
    await store.create(job);
    await new SqsDispatcher(sqs, queues.urls).dispatch(job);
    const received = await receiveOne(queues.urls.normal);
    const message = parseJobMessage(received.Body ?? '');
    expect(message).toEqual({ jobId: job.id, epoch: 1 });
    if (!message) return;
    const control = messageControl(sqs, queues.urls.normal, received.ReceiptHandle ?? '');
    const before = runs;
    const outcomes = await Promise.all([
      runJob(deps, message, control, 30_000),
      runJob(deps, message, control, 30_000),
    ]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['dropped', 'finished']);
    expect(runs - before).toBe(1);
    expect(await store.get(job.id)).toMatchObject({ status: 'completed', attempt: 1 });
  });

  it('drops a message from an older epoch without running anything', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {}, epoch: 2 });
    await store.create(job);
    const before = runs;
    const outcome = await runJob(
      deps,
      { jobId: job.id, epoch: 1 },
      { setVisibility: async () => undefined },
      30_000,
    );
    expect(outcome).toMatchObject({ kind: 'dropped', reason: 'stale epoch' });
    expect(runs).toBe(before);
    expect((await store.get(job.id))?.status).toBe('queued');
  });
});
