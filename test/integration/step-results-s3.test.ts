/**
 * Large durable step results against the real emulators (DynamoDB Local for the job, fauxqs's S3 for the
 * payload bucket): a job whose steps return 3 × ~200 KB fails in its last step, its retry gets the first two
 * back from S3 byte for byte without running them again and completes; the item holds references only;
 * cleanup deletes every step object with the job; a job at every step limit (64 steps, 96 KiB inline, the
 * rest referenced) stays within DynamoDB's 400 KB. The S3 adapter reports a missing object as such.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { S3PayloadStore } from '../../functions/adapters/s3/payload-store.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { TransientJobError } from '../../functions/core/errors.ts';
import { type Job, toJobView } from '../../functions/core/job.ts';
import {
  INLINE_PARAMS_BYTES,
  INLINE_STEP_RESULT_BYTES,
  MAX_ITEM_BYTES,
  MAX_STEP_RESULT_BYTES,
  MAX_STEP_RESULTS_BYTES,
} from '../../functions/core/limits.ts';
import { PayloadMissingError, resultPrefix, stepResultKey } from '../../functions/core/payloads.ts';
import { recordSteps, withFinalSteps } from '../../functions/core/step-transitions.ts';
import {
  MAX_STEP_NAME_BYTES,
  MAX_STEPS,
  type StepRecord,
  stepResultBytes,
} from '../../functions/core/steps.ts';
import { claim, complete, fail, heartbeat } from '../../functions/core/transitions.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionPayloadBucket, provisionTables } from '../../functions/local/provision.ts';
import { cleanupWithin } from '../../functions/usecases/cleanup.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { deliverCurrent, testRunJobDeps } from '../support/run-job-deps.ts';

const s3 = new S3Client({ ...localClientConfig(inject('sqsEndpoint')), forcePathStyle: true });
let bucket: string;
let store: DynamoJobStore;
let payloads: S3PayloadStore;

beforeAll(async () => {
  const prefix = uniquePrefix('step-results');
  const tables = await provisionTables(dynamoClient(), prefix);
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 30 });
  bucket = await provisionPayloadBucket(s3, prefix);
  payloads = new S3PayloadStore({ client: s3, bucket });
});

const keysOf = async (jobId: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: resultPrefix(jobId) }))).Contents ?? [])
    .map((object) => object.Key)
    .sort();

/** ~200 KB of JSON, different for each step, with characters of every UTF-8 length. */
const payloadOf = (name: string) => ({ name, data: `${name}-${'aé€🙂'.repeat(20_000)}` });

describe('large step results in S3', () => {
  it('replays 3 × 200 KB step results from S3 byte for byte on a retry, then cleanup deletes them', async () => {
    const runs: string[] = [];
    const seen: string[] = [];
    const clock = new TestClock(new Date());
    const agents = new AgentRegistry().register('t', {
      go: command({
        description: 'three large steps, the last failing once',
        durable: true,
        params: z.object({}),
        run: async (_params, ctx) => {
          for (const name of ['research', 'outline', 'draft']) {
            const value = await ctx.step(name, async () => {
              runs.push(`${name}@${ctx.attempt}`);
              if (name === 'draft' && ctx.attempt === 1) throw new TransientJobError('model overloaded');
              return payloadOf(name);
            });
            seen.push(JSON.stringify(value));
          }
          return { done: true };
        },
      }),
    });
    const deps = testRunJobDeps({ store, payloads, agents, clock });
    const deliver = (id: string) => deliverCurrent(deps, id);
    const job = aJob({ type: 't', command: 'go', params: {}, retryDelaySeconds: 1, userId: 'steps-s3' });
    await store.create(job);

    expect((await deliver(job.id)).kind).toBe('retry');
    const retrying = (await store.get(job.id)) as Job;
    const refs = (retrying.steps ?? []).flatMap((step) => (step.resultRef ? [step.resultRef] : []));
    expect(refs).toHaveLength(2);
    for (const ref of refs) expect(ref.bytes).toBeGreaterThan(200_000);
    // The item holds references, never the results.
    expect(Buffer.byteLength(JSON.stringify(retrying.steps))).toBeLessThan(1_000);
    expect(toJobView(retrying).steps.map((step) => step.resultOffloaded)).toEqual([true, true, undefined]);

    clock.set(retrying.queuedAt ?? '');
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(runs).toEqual(['research@1', 'outline@1', 'draft@1', 'draft@2']);
    // What the retry got back from S3 is what the first attempt's steps returned, byte for byte.
    const expected = ['research', 'outline'].map((name) => JSON.stringify(payloadOf(name)));
    expect(seen.slice(0, 2)).toEqual(expected);
    expect(seen.slice(2)).toEqual([...expected, JSON.stringify(payloadOf('draft'))]);
    const done = (await store.get(job.id)) as Job;
    expect(done).toMatchObject({ status: 'completed', result: { done: true } });
    expect(done.steps?.every((step) => step.resultRef && step.result === undefined)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(done))).toBeLessThan(MAX_ITEM_BYTES / 100);
    expect(await keysOf(job.id)).toHaveLength(3);

    const later = new TestClock(new Date(Date.parse(done.completedAt ?? '') + 40 * 86_400_000));
    const report = await cleanupWithin({ store, clock: later, payloads }, { days: 30 });
    expect(report.deleted).toBeGreaterThanOrEqual(1);
    expect(await store.get(job.id)).toBeNull();
    expect(await keysOf(job.id)).toEqual([]);
  });

  it('keeps a job at every step limit within DynamoDB 400 KB, running, completed or failed', async () => {
    const params = { v: 'x'.repeat(INLINE_PARAMS_BYTES - '{"v":""}'.length) };
    const inlineResult = JSON.stringify('y'.repeat(INLINE_STEP_RESULT_BYTES - 2));
    const inlineCount = MAX_STEP_RESULTS_BYTES / INLINE_STEP_RESULT_BYTES;
    // 64 steps with 64-byte names: six hold 16 KiB each inline (the 96 KiB cap), the others a reference.
    const steps: StepRecord[] = Array.from({ length: MAX_STEPS }, (_, i) => ({
      name: `${String(i).padStart(2, '0')}${'é'.repeat((MAX_STEP_NAME_BYTES - 2) / 2)}`,
      status: 'completed',
      attempt: 11,
      continuation: 99_999,
      completedAt: new Date().toISOString(),
      durationMs: 86_400_000,
      ...(i < inlineCount
        ? { result: inlineResult }
        : { resultRef: { object: '999999-11-0123456789ab', bytes: MAX_STEP_RESULT_BYTES } }),
    }));
    expect(stepResultBytes(steps)).toBe(MAX_STEP_RESULTS_BYTES);
    const progress = { percent: 99, stage: 'é'.repeat(128), message: '🙂'.repeat(256) };
    for (const ending of ['complete', 'fail'] as const) {
      const job = aJob({ userId: 'u'.repeat(10_000), params, type: 't'.repeat(64), command: 'c'.repeat(64) });
      await store.create(job);
      const running = await store.apply(job, claim(job, new Date()));
      if (!running) throw new Error('claim lost');
      const withSteps = await store.apply(running, recordSteps(running, steps));
      if (!withSteps) throw new Error('steps not recorded');
      const beating = await store.apply(withSteps, heartbeat(withSteps, new Date(), progress));
      if (!beating) throw new Error('heartbeat lost');
      const end =
        ending === 'complete'
          ? withFinalSteps(
              complete(beating, { v: 'r'.repeat(MAX_STEP_RESULTS_BYTES - 8) }, new Date()),
              steps,
            )
          : fail(
              beating,
              { code: 'e'.repeat(64), message: '🙂'.repeat(1_000), retryable: false },
              new Date(),
            );
      const ended = await store.apply(beating, end);
      expect(ended?.status).toBe(ending === 'complete' ? 'completed' : 'failed');
      expect(ended?.steps?.filter((step) => step.resultRef)).toHaveLength(MAX_STEPS - inlineCount);
    }
  });

  it('reports a missing object as PayloadMissingError', async () => {
    const key = stepResultKey('never-written', '1-1-000000000000');
    await expect(payloads.get(key)).rejects.toBeInstanceOf(PayloadMissingError);
  });
});
