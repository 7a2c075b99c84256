import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jobMessageBody } from '../../functions/adapters/sqs/dispatcher.ts';
import { createJobBatchHandler, failedRecordDelay } from '../../functions/adapters/sqs/job-batch.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { TransientJobError } from '../../functions/core/errors.ts';
import type { JobStore } from '../../functions/core/ports.ts';
import * as z from '../../functions/core/zod.ts';
import { lambdaContext } from '../../functions/local/lambda-context.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

describe('a record that failed with an error', () => {
  it('comes back after 10 s, doubling with each receive up to 15 minutes', () => {
    expect([1, 2, 3, 4].map(failedRecordDelay)).toEqual([10, 20, 40, 80]);
    expect(failedRecordDelay(7)).toBe(640);
    expect(failedRecordDelay(8)).toBe(900);
    expect(failedRecordDelay(15)).toBe(900);
    // A missing or odd receive count is treated as the first receive.
    expect(failedRecordDelay(0)).toBe(10);
  });
});

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/jobs-normal';
const queueUrls = {
  critical: `${QUEUE_URL}-c`,
  high: `${QUEUE_URL}-h`,
  normal: QUEUE_URL,
  low: `${QUEUE_URL}-l`,
};

function setup(store: JobStore = new MemoryJobStore()) {
  const visibility: Array<{ receiptHandle: string; seconds: number }> = [];
  const sqs = {
    send: async (command: { input: { ReceiptHandle: string; VisibilityTimeout: number } }) => {
      visibility.push({
        receiptHandle: command.input.ReceiptHandle,
        seconds: command.input.VisibilityTimeout,
      });
      return {};
    },
  } as unknown as SQSClient;
  const running = { now: 0, most: 0 };
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'test agent',
      params: z.object({ fail: z.optional(z.boolean()) }),
      run: async ({ fail }) => {
        running.most = Math.max(running.most, ++running.now);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running.now -= 1;
        if (fail) throw new TransientJobError('try again later');
        return { ok: true };
      },
    }),
  });
  const handle = createJobBatchHandler({
    runJobDeps: {
      store,
      agents,
      clock: new TestClock('2026-05-01T00:00:00.000Z'),
      logger: silentLogger,
      heartbeatMs: 60_000,
      staleAfterMs: 60_000,
      progressIntervalMs: 1000,
      random: () => 1,
    },
    sqs,
    queueUrls,
    logger: silentLogger,
  });
  return { handle, visibility, running };
}

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs-normal',
  }) as unknown as SQSRecord;

describe('the worker batch', () => {
  it('runs the records one after the other and reports exactly those that must come back', async () => {
    const store = new MemoryJobStore();
    const jobs = [{}, { fail: true }, {}].map((params) => aJob({ type: 't', command: 'go', params }));
    for (const job of jobs) await store.create(job);
    const { handle, visibility, running } = setup(store);
    const message = (id: string) => JSON.stringify({ jobId: id, epoch: 1 });
    const [done, retried, alsoDone] = jobs.map((job) => job.id) as [string, string, string];

    const response = await handle(
      {
        Records: [
          record('m1', message(done)),
          record('m2', 'not a job message'),
          record('m3', message(retried)),
          record('m4', message(alsoDone)),
        ],
      },
      lambdaContext('worker', 900_000),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
    expect(running.most).toBe(1);
    expect((await store.get(done))?.status).toBe('completed');
    expect((await store.get(alsoDone))?.status).toBe('completed');
    expect((await store.get(retried))?.status).toBe('retrying');
    // The retried record's message comes back after the job's backoff.
    expect(visibility).toEqual([{ receiptHandle: 'receipt-m3', seconds: 30 }]);
  });

  it('reports a batch whose every record failed instead of throwing', async () => {
    const { handle } = setup();
    const response = await handle(
      { Records: [record('m1', '{}'), record('m2', 'nope')] },
      lambdaContext('worker', 900_000),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });

  it("claims from the message's snapshot on its first receive only", async () => {
    const store = new MemoryJobStore();
    const [first, later] = [
      aJob({ type: 't', command: 'go', params: {} }),
      aJob({ type: 't', command: 'go', params: {} }),
    ];
    for (const job of [first, later]) await store.create(job);
    const { handle } = setup(store);
    const laterRecord = record('m2', jobMessageBody(later));
    laterRecord.attributes.ApproximateReceiveCount = '3';
    const response = await handle(
      { Records: [record('m1', jobMessageBody(first)), laterRecord] },
      lambdaContext('worker', 900_000),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    // The later receive's snapshot may be stale: it read its job; the first did not.
    expect(store.getCalls).toBe(1);
    expect(store.applied).toEqual(['claim', 'complete', 'claim', 'complete']);
  });

  it('answers an empty batch with no failures', async () => {
    const { handle } = setup();
    expect(await handle({ Records: [] }, lambdaContext('worker', 900_000))).toEqual({
      batchItemFailures: [],
    });
  });
});
