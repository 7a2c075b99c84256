/**
 * The worker's fencing against the real emulators: the same SQS message delivered twice at once runs the
 * job once, and a message from an older epoch is dropped. A first delivery claims from the message's
 * snapshot with one conditional UpdateItem and no read; a stale snapshot's failed write hands back the
 * item as it is (ALL_OLD), so the worker goes on without a read either.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { parseJobMessage, SqsDispatcher } from '../../functions/adapters/sqs/dispatcher.ts';
import { messageControl } from '../../functions/adapters/sqs/message-control.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { cancelWaiting } from '../../functions/core/control-transitions.ts';
import { snapshotOf, startFromSnapshot } from '../../functions/core/job-snapshot.ts';
import { claim } from '../../functions/core/transitions.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { type RunJobDeps, runJob } from '../../functions/usecases/run-job.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';

const sqs = sqsClient();
let store: DynamoJobStore;
let tableName: string;
let queues: LocalQueues;
/** The DynamoDB commands the store sent, in order. */
const commands: string[] = [];
let runs = 0;
let deps: RunJobDeps;

beforeAll(async () => {
  const prefix = uniquePrefix('claim');
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix);
  tableName = tables.Jobs as string;
  const client = dynamoClient();
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize' },
  );
  store = new DynamoJobStore({ client, tableName, retentionDays: 1 });
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
    expect(message).toEqual({ jobId: job.id, epoch: 1, snapshot: snapshotOf(job) });
    if (!message) return;
    const control = messageControl(sqs, queues.urls.normal, received.ReceiptHandle ?? '');
    const before = runs;
    // Both first deliveries claim from the snapshot: one write wins, the other gets the running job back.
    const outcomes = await Promise.all([
      runJob(deps, { ...message, receiveCount: 1 }, control, 30_000),
      runJob(deps, { ...message, receiveCount: 1 }, control, 30_000),
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

  it('claims on a first delivery with one UpdateItem and no read', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {} });
    await store.create(job);
    commands.length = 0;
    const message = { jobId: job.id, epoch: 1, snapshot: snapshotOf(job), receiveCount: 1 };
    const outcome = await runJob(deps, message, { setVisibility: async () => undefined }, 30_000);
    expect(outcome).toMatchObject({ kind: 'finished', job: { status: 'completed', attempt: 1 } });
    // The claim, then the completion: nothing read.
    expect(commands).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
  });

  it('reads first on a later delivery of the same message', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {} });
    await store.create(job);
    commands.length = 0;
    const message = { jobId: job.id, epoch: 1, snapshot: snapshotOf(job), receiveCount: 2 };
    const outcome = await runJob(deps, message, { setVisibility: async () => undefined }, 30_000);
    expect(outcome).toMatchObject({ kind: 'finished', job: { status: 'completed' } });
    expect(commands).toEqual(['GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
  });

  it('goes on with the item the failed write returns when the job changed after the send', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {} });
    await store.create(job);
    await store.apply(job, cancelWaiting(job, new Date()));
    commands.length = 0;
    const before = runs;
    const message = { jobId: job.id, epoch: 1, snapshot: snapshotOf(job), receiveCount: 1 };
    const outcome = await runJob(deps, message, { setVisibility: async () => undefined }, 30_000);
    // The cancel moved the epoch on: the message is stale, found without a read of its own.
    expect(outcome).toMatchObject({ kind: 'dropped', reason: 'stale epoch' });
    expect(commands).toEqual(['UpdateItemCommand']);
    expect(runs).toBe(before);
    expect(await store.get(job.id)).toMatchObject({ status: 'cancelled', seq: 2 });
  });

  it('hands back the current item (ALL_OLD) on a failed condition, and null for a missing job', async () => {
    const job = aJob({ type: 'count', command: 'run', params: {} });
    await store.create(job);
    const now = new Date();
    const transition = startFromSnapshot(snapshotOf(job), now);
    if (!transition) throw new Error('a queued, due job starts from its snapshot');
    const claimed = await store.applyToSnapshot(snapshotOf(job), transition);
    expect(claimed).toMatchObject({ applied: true, job: { status: 'running', attempt: 1, seq: 2 } });
    // The same snapshot again: its seq is stale now.
    const again = await store.applyToSnapshot(snapshotOf(job), transition);
    expect(again).toEqual({ applied: false, current: await store.get(job.id) });
    expect(await store.get(job.id)).toMatchObject({ status: 'running', attempt: 1, seq: 2 });

    // A write that keeps status, epoch and attempt still moves seq, which the snapshot's claim is pinned to.
    const touched = aJob({ type: 'count', command: 'run', params: {} });
    await store.create(touched);
    const touch = {
      name: 'touch',
      expect: { status: ['queued'] as const },
      set: { dispatchedAt: now.toISOString() },
    };
    await store.apply(touched, touch);
    const late = startFromSnapshot(snapshotOf(touched), now);
    if (!late) throw new Error('a queued, due job starts from its snapshot');
    expect(await store.applyToSnapshot(snapshotOf(touched), late)).toEqual({
      applied: false,
      current: await store.get(touched.id),
    });
    expect(await store.get(touched.id)).toMatchObject({ status: 'queued', seq: 2, attempt: 0 });

    const missing = aJob({ type: 'count', command: 'run', params: {} });
    const none = await store.applyToSnapshot(snapshotOf(missing), transition);
    expect(none).toEqual({ applied: false, current: null });
  });

  it('writes the same item from a snapshot as from a read', async () => {
    const base = { type: 'count', command: 'run', params: {}, deadline: '2099-01-01T00:00:00.000Z' };
    const extra = { resends: 2, continuations: 1, dispatchedAt: '2026-01-01T00:01:00.000Z' };
    const [viaRead, viaSnapshot] = [aJob({ ...base, ...extra }), aJob({ ...base, ...extra })];
    await store.create(viaRead);
    await store.create(viaSnapshot);
    const now = new Date('2026-01-01T00:05:00.000Z');
    await store.apply(viaRead, claim(viaRead, now));
    const transition = startFromSnapshot(snapshotOf(viaSnapshot), now);
    if (!transition) throw new Error('a queued, due job starts from its snapshot');
    await store.applyToSnapshot(snapshotOf(viaSnapshot), transition);
    const item = async (id: string, createdAt: string) => {
      const { Item } = await dynamoClient().send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `JOB#${id}` }, sk: { S: 'JOB' } } }),
      );
      // What tells the twins apart: their ids, and the keys and times derived from them.
      const text = JSON.stringify(Item).replaceAll(id, 'ID').replaceAll(createdAt, 'CREATED');
      const { activeKey, deadlineKey, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return { ...rest, activeKey: activeKey !== undefined, deadlineKey: deadlineKey !== undefined };
    };
    const written = await item(viaSnapshot.id, viaSnapshot.createdAt);
    expect(written).toEqual(await item(viaRead.id, viaRead.createdAt));
    expect(written).toMatchObject({ status: { S: 'running' }, seq: { N: '2' }, activeKey: true });
    expect(written).not.toHaveProperty('resends');
  });
});
