/**
 * Large params and results (usecases/payloads.ts with submit and run): what stays in the job item and what
 * goes to the payload store, the order of writes (the object before the item that refers to it), fencing of
 * result objects, failures, cleanup and how the routes answer.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../../functions/agents/index.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { AppError } from '../../functions/core/errors.ts';
import { type Job, toJobView } from '../../functions/core/job.ts';
import { INLINE_PARAMS_BYTES, MAX_RESULT_BYTES } from '../../functions/core/limits.ts';
import { paramsKey } from '../../functions/core/payloads.ts';
import type { CreateOptions } from '../../functions/core/ports.ts';
import { claim } from '../../functions/core/transitions.ts';
import { cleanupWithin } from '../../functions/usecases/cleanup.ts';
import { readPayload, storeResult } from '../../functions/usecases/payloads.ts';
import { jobFrame } from '../../functions/usecases/realtime/frames.ts';
import { runJob } from '../../functions/usecases/run-job.ts';
import { type SubmitDeps, submitJob } from '../../functions/usecases/submit-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryPayloadStore } from '../support/memory-payloads.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';
import { testRunJobDeps } from '../support/run-job-deps.ts';

const clock = () => new TestClock('2026-06-01T00:00:00.000Z');
const big = (bytes: number) => ({ value: 'x'.repeat(bytes - '{"value":""}'.length) });

function submitting() {
  const store = new MemoryJobStore();
  const payloads = new MemoryPayloadStore();
  const deps: SubmitDeps = {
    store,
    payloads,
    agents: createRegistry(),
    clock: clock(),
    logger: silentLogger,
    dispatcher: { dispatch: async () => undefined },
  };
  return { store, payloads, deps };
}
const echo = (body: Record<string, unknown>) =>
  parseInput(submitJobSchema, { type: 'demo', command: 'echo', ...body });

function running(result: (params: unknown) => unknown) {
  const store = new MemoryJobStore();
  const payloads = new MemoryPayloadStore();
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'returns what it is told',
      params: z.looseObject({}),
      run: async (params) => result(params),
    }),
  });
  const deps = testRunJobDeps({ store, payloads, agents, clock: clock() });
  const control = { setVisibility: async () => undefined };
  const run = (job: Job) => runJob(deps, { jobId: job.id, epoch: job.epoch }, control, 60_000);
  return { store, payloads, deps, run };
}
const aTestJob = (overrides: Partial<Job> = {}) =>
  aJob({ type: 't', command: 'go', params: {}, ...overrides });

describe('submitting large params', () => {
  it('keeps params up to 256 KiB in the item', async () => {
    const { payloads, deps } = submitting();
    const params = big(INLINE_PARAMS_BYTES);
    const { job } = await submitJob(deps, 'alice', echo({ params }));
    expect(job).toMatchObject({ params, paramsRef: null });
    expect(payloads.objects.size).toBe(0);
    expect(toJobView(job).paramsTruncated).toBeUndefined();
  });

  it('writes larger params to the store before the item that refers to them', async () => {
    const { store, payloads, deps } = submitting();
    const params = big(INLINE_PARAMS_BYTES + 1);
    const seenAtCreate: string[] = [];
    const create = store.create.bind(store);
    store.create = async (job: Job, options?: CreateOptions) => {
      seenAtCreate.push(...payloads.keysOf(job.id));
      return create(job, options);
    };
    const { job } = await submitJob(deps, 'alice', echo({ params }));
    expect(seenAtCreate).toEqual([paramsKey(job.id)]);
    expect(job.paramsRef).toEqual({ key: paramsKey(job.id), bytes: INLINE_PARAMS_BYTES + 1 });
    expect(JSON.parse(await payloads.get(paramsKey(job.id)))).toEqual(params);
    expect(toJobView((await store.get(job.id)) as Job)).toMatchObject({
      params: null,
      paramsTruncated: true,
    });
  });

  it('refuses them with 413 when there is no payload store', async () => {
    const { deps } = submitting();
    const error = await submitJob(
      { ...deps, payloads: undefined },
      'alice',
      echo({ params: big(300_000) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
  });

  it('removes the object of a job that was not created (a repeated idempotency key)', async () => {
    const { payloads, deps } = submitting();
    const body = echo({ params: big(300_000), idempotencyKey: 'k' });
    const first = await submitJob(deps, 'alice', body);
    const ids = ['second-id'];
    const again = await submitJob({ ...deps, newId: () => ids[0] as string }, 'alice', body);
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    expect([...payloads.objects.keys()]).toEqual([paramsKey(first.job.id)]);
  });
});

describe('running with large payloads', () => {
  it('gives the agent params read from the store', async () => {
    const { store, payloads, run } = running((params) => params);
    const params = big(300_000);
    const job = aTestJob({ params: null, paramsRef: { key: paramsKey('p1'), bytes: 300_000 } });
    await payloads.put(paramsKey('p1'), JSON.stringify(params));
    await store.create(job);
    await run(job);
    const done = await store.get(job.id);
    expect(done?.status).toBe('completed');
    expect(JSON.parse(await payloads.get(done?.resultRef?.key ?? ''))).toEqual(params);
  });

  it('keeps a small result in the item and writes a large one to the store first', async () => {
    const small = running(() => ({ ok: 1 }));
    const job = aTestJob();
    await small.store.create(job);
    await small.run(job);
    const kept = await small.store.get(job.id);
    expect(kept).toMatchObject({ status: 'completed', result: { ok: 1 } });
    expect(kept?.resultRef ?? null).toBeNull();

    const large = running(() => big(INLINE_PARAMS_BYTES + 1));
    const other = aTestJob();
    await large.store.create(other);
    await large.run(other);
    const done = (await large.store.get(other.id)) as Job;
    expect(done).toMatchObject({
      status: 'completed',
      result: null,
      resultRef: { bytes: INLINE_PARAMS_BYTES + 1 },
    });
    expect(done.resultRef?.key).toMatch(new RegExp(`^results/${other.id}/1-`));
    expect(toJobView(done)).toMatchObject({ result: null, resultTruncated: true });
  });

  it('moves a result that fits alone but not beside 256 KiB of params in the item', async () => {
    const { store, run } = running(() => big(200_000));
    const job = aTestJob({ params: big(INLINE_PARAMS_BYTES) });
    await store.create(job);
    await run(job);
    expect((await store.get(job.id))?.resultRef?.bytes).toBe(200_000);
  });

  it('fails a result over 50 MiB permanently with result_too_large', async () => {
    const { store, payloads, run } = running(() => ({ data: 'x'.repeat(MAX_RESULT_BYTES) }));
    const job = aTestJob({ maxRetries: 3 });
    await store.create(job);
    await run(job);
    expect(await store.get(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'result_too_large', retryable: false },
    });
    expect(payloads.objects.size).toBe(0);
  }, 60_000);

  it('retries when the result cannot be written, with nothing referring to a missing object', async () => {
    const { store, payloads, run } = running(() => big(400_000));
    payloads.failPuts = true;
    const job = aTestJob({ maxRetries: 3 });
    await store.create(job);
    const outcome = await run(job);
    expect(outcome.kind).toBe('retry');
    const retrying = await store.get(job.id);
    expect(retrying).toMatchObject({
      status: 'retrying',
      error: { code: 'result_not_stored', retryable: true },
    });
    expect(retrying?.resultRef ?? null).toBeNull();
  });

  it('gives each write its own result key, so a fenced-out run never overwrites the winner', async () => {
    const { store, payloads, deps } = running(() => null);
    const job = aTestJob();
    await store.create(job);
    const claimed = (await store.apply(job, claim(job, new Date()))) as Job;
    const winner = await storeResult(deps.payloads, claimed, big(300_000));
    const zombie = await storeResult(deps.payloads, claimed, { ...big(300_001), zombie: true });
    if (!(winner.ok && zombie.ok)) throw new Error('expected both results stored');
    expect(winner.resultRef?.key).not.toBe(zombie.resultRef?.key);
    expect(JSON.parse(await payloads.get(winner.resultRef?.key ?? ''))).toEqual(big(300_000));
  });
});

describe('reading and removing them', () => {
  it('answers inline values, and links for stored ones', async () => {
    const payloads = new MemoryPayloadStore();
    const inline = aJob({ params: { a: 1 }, result: [2] });
    expect(await readPayload(payloads, inline, 'params')).toEqual({ kind: 'inline', value: { a: 1 } });
    expect(await readPayload(payloads, inline, 'result')).toEqual({ kind: 'inline', value: [2] });
    const stored = aJob({ resultRef: { key: 'results/j/1-n.json', bytes: 9 } });
    expect(await readPayload(payloads, stored, 'result')).toEqual({
      kind: 'link',
      url: 'https://payloads.example/results/j/1-n.json?expires=300',
      bytes: 9,
    });
  });

  it('cleanup deletes the objects of the jobs it deletes, and only theirs', async () => {
    const store = new MemoryJobStore();
    const payloads = new MemoryPayloadStore();
    const longAgo = '2026-01-01T00:00:00.000Z';
    const old = aJob({
      status: 'completed',
      completedAt: longAgo,
      paramsRef: { key: paramsKey('x'), bytes: 1 },
    });
    const recent = aJob({ status: 'completed', completedAt: '2026-05-31T00:00:00.000Z' });
    for (const job of [old, recent]) {
      await store.create({ ...job, paramsRef: { key: paramsKey(job.id), bytes: 1 } });
      await payloads.put(paramsKey(job.id), '{}');
      await payloads.put(`results/${job.id}/1-a.json`, '{}');
    }
    const report = await cleanupWithin({ store, clock: clock(), payloads }, { days: 30 });
    expect(report.deleted).toBe(1);
    expect(payloads.keysOf(old.id)).toEqual([]);
    expect(payloads.keysOf(recent.id)).toHaveLength(2);
  });

  it('keeps resultTruncated in every WebSocket frame of a job whose result is in S3', () => {
    const view = toJobView(
      aJob({
        status: 'completed',
        resultRef: { key: 'k', bytes: 1 },
        progress: { percent: 100, stage: 's'.repeat(40_000), message: null },
      }),
    );
    for (const max of [32 * 1024, 2_000]) {
      const frame = JSON.parse(jobFrame('job.updated', view, max));
      expect(frame.job).toMatchObject({ result: null, resultTruncated: true });
    }
  });
});
