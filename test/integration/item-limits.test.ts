/**
 * Against DynamoDB Local and the SQS emulator: a job item at every limit of core/limits.ts together still
 * writes (so no accepted job is stuck unable to record its outcome), params and results of any nesting
 * round-trip, composite keys cannot collide however the user id is spelled, and a record whose outcome could
 * not be recorded does not stay in flight for the queue's 90-minute visibility timeout.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import {
  createJobBatchHandler,
  FAILED_RECORD_RETRY_SECONDS,
} from '../../functions/adapters/sqs/job-batch.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { systemClock } from '../../functions/core/clock.ts';
import {
  INLINE_PARAMS_BYTES,
  INLINE_PAYLOAD_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
  MAX_STAGE_BYTES,
} from '../../functions/core/limits.ts';
import type { JobStore } from '../../functions/core/ports.ts';
import { claim, complete, fail, heartbeat } from '../../functions/core/transitions.ts';
import { lambdaContext } from '../../functions/local/lambda-context.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';
import { startStatsCounting } from '../support/stats-stream.ts';

const sqs = sqsClient();
let store: DynamoJobStore;
let queues: LocalQueues;

let counting: { stop(): Promise<void> } | undefined;

afterAll(async () => {
  await counting?.stop();
});

beforeAll(async () => {
  const prefix = uniquePrefix('limits');
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix);
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 1 });
  counting = await startStatsCounting(tables.Jobs as string);
});

/** A string whose JSON object `{"v":"..."}` is exactly `bytes` long. */
const jsonOfBytes = (bytes: number) => ({ v: 'x'.repeat(bytes - '{"v":""}'.length) });
const nested = (depth: number): unknown => {
  let value: unknown = { leaf: true };
  for (let level = 1; level < depth; level++) value = level % 2 ? [value] : { down: value };
  return value;
};

describe('a job item at every limit at once', () => {
  it('is created, runs, completes and fails within DynamoDB 400 KB', async () => {
    // The most the item holds inline (core/limits.ts); anything larger goes to S3 and leaves a reference.
    const params = jsonOfBytes(INLINE_PARAMS_BYTES);
    expect(Buffer.byteLength(JSON.stringify(params))).toBe(INLINE_PARAMS_BYTES);
    const job = aJob({
      // The longest `sub` an API Gateway header can carry, in 4-byte characters where it hurts most.
      userId: 'u'.repeat(10_000),
      params,
      dependsOn: Array.from({ length: 20 }, (_, i) => `${i}`.padStart(64, 'd')),
      idempotencyKey: '🙂'.repeat(64),
      type: 't'.repeat(64),
      command: 'c'.repeat(64),
      status: 'queued',
      deadline: '2999-01-01T00:00:00.000Z',
    });
    await store.create(job, { idempotency: { key: job.idempotencyKey ?? '', fingerprint: 'f'.repeat(64) } });
    const now = new Date();
    const running = await store.apply(job, claim(job, now));
    expect(running?.status).toBe('running');
    if (!running) return;
    const progress = {
      percent: 99,
      stage: 'é'.repeat(MAX_STAGE_BYTES),
      message: '🙂'.repeat(MAX_PROGRESS_MESSAGE_BYTES),
    };
    const beating = await store.apply(running, heartbeat(running, now, progress));
    if (!beating) throw new Error('heartbeat lost');
    const result = jsonOfBytes(INLINE_PAYLOAD_BYTES - INLINE_PARAMS_BYTES);
    const done = await store.apply(beating, complete(beating, result, now));
    expect(done).toMatchObject({ status: 'completed', result });
    expect((await store.get(job.id))?.params).toEqual(params);

    // The same job failing instead, with the longest error message any agent can leave.
    const other = { ...job, id: `${job.id}-f`, idempotencyKey: null };
    await store.create(other);
    const again = await store.apply(other, claim(other, now));
    if (!again) throw new Error('claim lost');
    const withProgress = await store.apply(again, heartbeat(again, now, progress));
    if (!withProgress) throw new Error('heartbeat lost');
    const failed = await store.apply(
      withProgress,
      fail(withProgress, { code: 'e'.repeat(1000), message: '🙂'.repeat(100_000), retryable: false }, now),
    );
    expect(failed?.status).toBe('failed');
    expect(Buffer.byteLength(failed?.error?.message ?? '')).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
  });

  it('stores params and results nested far deeper than DynamoDB maps allow (32 levels)', async () => {
    const deep = { tree: nested(200) };
    const job = aJob({ params: deep, status: 'running', attempt: 1 });
    await store.create(job);
    const done = await store.apply(job, complete(job, nested(250), new Date()));
    expect(done?.status).toBe('completed');
    const read = await store.get(job.id);
    expect(read?.params).toEqual(deep);
    expect(read?.result).toEqual(nested(250));
  });
});

describe('composite keys', () => {
  it('keep a user named "alice#x" with key "y" apart from alice with key "x#y"', async () => {
    const alice = aJob({ userId: 'alice', idempotencyKey: 'x#y' });
    const squatter = aJob({ userId: 'alice#x', idempotencyKey: 'y' });
    expect(await store.create(alice, { idempotency: { key: 'x#y', fingerprint: 'a' } })).toEqual({
      created: true,
    });
    expect(await store.create(squatter, { idempotency: { key: 'y', fingerprint: 'b' } })).toEqual({
      created: true,
    });
    const listed = await store.listByUser('alice#x', { limit: 10 });
    expect(listed.items.map((job) => job.id)).toEqual([squatter.id]);
    await expect.poll(async () => (await store.readStats({ userId: 'alice#x' })).byStatus.queued).toBe(1);
  });

  it('serve a user whose id has 5,000 characters: create, repeat, list, count, stats', async () => {
    const userId = `${'s'.repeat(4990)}#S#queued`;
    const job = aJob({ userId, type: 'long', idempotencyKey: 'k' });
    await store.create(job, { idempotency: { key: 'k', fingerprint: 'f' } });
    expect(
      await store.create({ ...job, id: `${job.id}-2` }, { idempotency: { key: 'k', fingerprint: 'f' } }),
    ).toEqual({ created: false, jobId: job.id, fingerprint: 'f' });
    expect((await store.listByUser(userId, { status: 'queued', limit: 10 })).items).toHaveLength(1);
    expect((await store.countByUser(userId, { type: 'long' })).count).toBe(1);
    await expect.poll(async () => (await store.readStats({ userId })).byStatus.queued).toBe(1);
    // No one else sees it, including a user whose id is that id's key part.
    expect((await store.listByUser('s'.repeat(4990), { limit: 10 })).items).toHaveLength(0);
  });
});

describe('a record whose outcome cannot be recorded', () => {
  it('comes back within seconds instead of staying in flight for the visibility timeout', async () => {
    const job = aJob({ type: 'echo', command: 'run', status: 'queued', params: {} });
    await store.create(job);
    // The final write fails the way an oversized item did (a ValidationException, not a lost race).
    // The worker reads and applies; nothing else of the store is used on this path.
    const failingStore = {
      get: (id: string) => store.get(id),
      apply: async (current: typeof job, transition: ReturnType<typeof claim>) => {
        if (transition.name === 'complete') throw new Error('ValidationException: Item size has exceeded');
        return store.apply(current, transition);
      },
    } as unknown as JobStore;
    const handle = createJobBatchHandler({
      runJobDeps: {
        store: failingStore,
        agents: new AgentRegistry().register('echo', {
          run: command({ description: 'echo', params: z.object({}), run: async () => ({ ok: true }) }),
        }),
        clock: systemClock,
        logger: silentLogger,
        heartbeatMs: 1000,
        staleAfterMs: 60_000,
        progressIntervalMs: 1000,
      },
      sqs,
      queueUrls: queues.urls,
      logger: silentLogger,
    });
    const queueUrl = queues.urls.normal;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ jobId: job.id, epoch: 1 }),
      }),
    );
    const first = await receiveOne(queueUrl, 30);
    const record = {
      messageId: first.MessageId,
      receiptHandle: first.ReceiptHandle,
      body: first.Body,
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').at(-1)}`,
    } as SQSRecord;
    const response = await handle({ Records: [record] }, lambdaContext('worker', 900_000));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first.MessageId }]);
    // Without the fix it would stay hidden for the queue's 5,400 s.
    const again = await receiveOne(queueUrl, FAILED_RECORD_RETRY_SECONDS + 30);
    expect(again.MessageId).toBe(first.MessageId);
  });
});

async function receiveOne(queueUrl: string, seconds: number) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = Messages?.[0];
    if (message) return message;
  }
  throw new Error(`no message within ${seconds} s`);
}
