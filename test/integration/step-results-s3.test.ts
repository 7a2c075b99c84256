/**
 * Large durable step results against the real emulators (DynamoDB Local for the job, fauxqs's S3 for the
 * payload bucket): a job whose steps return 3 × ~200 KB fails in its last step, its retry gets the first two
 * back from S3 byte for byte without running them again and completes; the item holds references only;
 * cleanup deletes every step object with the job. The S3 adapter reports a missing object as such.
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
import { MAX_ITEM_BYTES } from '../../functions/core/limits.ts';
import { PayloadMissingError, resultPrefix, stepResultKey } from '../../functions/core/payloads.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionPayloadBucket, provisionTables } from '../../functions/local/provision.ts';
import { cleanupWithin } from '../../functions/usecases/cleanup.ts';
import { type RunJobDeps, runJob } from '../../functions/usecases/run-job.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';

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
    const deps: RunJobDeps = {
      store,
      payloads,
      agents,
      clock,
      logger: silentLogger,
      heartbeatMs: 1_000,
      staleAfterMs: 60_000,
      progressIntervalMs: 1_000,
      random: () => 1,
    };
    const deliver = async (id: string) => {
      const job = (await store.get(id)) as Job;
      return runJob(deps, { jobId: id, epoch: job.epoch }, { setVisibility: async () => undefined }, 60_000);
    };
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

  it('reports a missing object as PayloadMissingError', async () => {
    const key = stepResultKey('never-written', '1-1-000000000000');
    await expect(payloads.get(key)).rejects.toBeInstanceOf(PayloadMissingError);
  });
});
