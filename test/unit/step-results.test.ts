/**
 * Large durable step results: where a result is kept (core/step-results.ts), how it is written and read
 * back (usecases/step-results.ts), and through runJob with the in-memory stores: offloaded results replay
 * byte for byte on a retry without running their step again, the job view shows their size only, a
 * missing object runs its step again, and cleanup deletes the step objects with the job.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentContext, AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { TransientJobError } from '../../functions/core/errors.ts';
import { type Job, toJobView } from '../../functions/core/job.ts';
import {
  INLINE_STEP_RESULT_BYTES,
  MAX_STEP_RESULT_BYTES,
  MAX_STEP_RESULTS_BYTES,
} from '../../functions/core/limits.ts';
import { stepResultKey } from '../../functions/core/payloads.ts';
import { placeStepResult, stepResultLimit } from '../../functions/core/step-results.ts';
import { cleanupWithin } from '../../functions/usecases/cleanup.ts';
import { StepResults } from '../../functions/usecases/step-results.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryPayloadStore } from '../support/memory-payloads.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { deliverCurrent, testRunJobDeps } from '../support/run-job-deps.ts';

const offloading = { inlineBytes: 0, offloading: true };

describe('where a step result is kept', () => {
  it('keeps small results in the item while they fit the inline cap, offloads the rest', () => {
    expect(placeStepResult(INLINE_STEP_RESULT_BYTES, offloading)).toBe('inline');
    expect(placeStepResult(INLINE_STEP_RESULT_BYTES + 1, offloading)).toBe('offloaded');
    const nearlyFull = { inlineBytes: MAX_STEP_RESULTS_BYTES - 100, offloading: true };
    expect(placeStepResult(100, nearlyFull)).toBe('inline');
    expect(placeStepResult(101, nearlyFull)).toBe('offloaded');
  });

  it('allows 50 MiB a step with a payload store, and only what the item has left without one', () => {
    expect(stepResultLimit(offloading).maxBytes).toBe(MAX_STEP_RESULT_BYTES);
    const alone = { inlineBytes: 1000, offloading: false };
    expect(stepResultLimit(alone).maxBytes).toBe(MAX_STEP_RESULTS_BYTES - 1000);
    expect(placeStepResult(50_000, alone)).toBe('inline');
  });
});

describe('StepResults', () => {
  const results = (payloads = new MemoryPayloadStore()) => ({
    payloads,
    results: new StepResults({ jobId: 'j1', epoch: 7, attempt: 2, payloads }),
  });

  it('writes an offloaded result under a key of its run, and reads it back byte for byte', async () => {
    const { payloads, results: steps } = results();
    const value = { text: `${'é'.repeat(10_000)}🙂` };
    const fitted = steps.fit('draft', value, 0);
    expect(fitted.place).toBe('offloaded');
    const ref = await steps.offload('draft', fitted);
    expect(ref).toEqual({ object: expect.stringMatching(/^7-2-[0-9a-f]{12}$/), bytes: fitted.bytes });
    expect(payloads.keysOf('j1')).toEqual([stepResultKey('j1', ref.object)]);
    expect(stepResultKey('j1', ref.object)).toMatch(/^results\/j1\/steps\/7-2-/);
    const record = { name: 'draft', status: 'completed' as const, attempt: 2, continuation: 0 };
    const loaded = await steps.load({ ...record, completedAt: '', durationMs: 1, resultRef: ref });
    expect(loaded === JSON.stringify(value)).toBe(true);
    // A second write of the same step (another run) never reuses the key.
    expect((await steps.offload('draft', fitted)).object).not.toBe(ref.object);
  });

  it('answers null for a result whose object is gone, and a transient error when the store fails', async () => {
    const { payloads, results: steps } = results();
    const step = {
      name: 's',
      status: 'completed' as const,
      attempt: 1,
      continuation: 0,
      completedAt: '',
      durationMs: 1,
      resultRef: { object: '1-1-000000000000', bytes: 2 },
    };
    expect(await steps.load(step)).toBeNull();
    payloads.failGets = true;
    await expect(steps.load(step)).rejects.toMatchObject({ code: 'step_not_loaded', retryable: true });
    payloads.failPuts = true;
    const fitted = steps.fit('s', 'x'.repeat(INLINE_STEP_RESULT_BYTES), 0);
    await expect(steps.offload('s', fitted)).rejects.toMatchObject({
      code: 'step_not_stored',
      retryable: true,
    });
  });

  it('refuses a result over 50 MiB permanently, naming the limit', () => {
    const { results: steps } = results();
    expect(() => steps.fit('huge', 'x'.repeat(MAX_STEP_RESULT_BYTES), 0)).toThrow(
      expect.objectContaining({
        code: 'step_result_too_large',
        retryable: false,
        message: expect.stringContaining(`a step result: at most ${MAX_STEP_RESULT_BYTES} bytes`),
      }),
    );
    // Serializing 50 MiB takes seconds on a busy machine.
  }, 60_000);
});

const BYTES = 200_000;
/** Three steps of ~200 KB each; the third fails in the first attempt. */
function threeBigSteps(runs: string[]) {
  return async (ctx: AgentContext) => {
    const results: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const value = await ctx.step(name, async () => {
        runs.push(`${name}@${ctx.attempt}`);
        if (name === 'c' && ctx.attempt === 1) throw new TransientJobError('model overloaded');
        return { name, data: `${name}${'é'.repeat(BYTES / 2)}` };
      });
      results.push(`${value.name}:${value.data.length}`);
    }
    return { results };
  };
}

function setup(run: (ctx: AgentContext) => Promise<unknown>) {
  const store = new MemoryJobStore();
  const payloads = new MemoryPayloadStore();
  const clock = new TestClock('2026-05-01T00:00:00.000Z');
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'test agent',
      durable: true,
      params: z.object({}),
      run: (_p, ctx) => run(ctx),
    }),
  });
  const deps = testRunJobDeps({ store, payloads, agents, clock, heartbeatMs: 20 });
  const deliver = (id: string) => deliverCurrent(deps, id);
  return { store, payloads, clock, deliver };
}

describe('large step results through runJob', () => {
  it('offloads them, replays them byte for byte on a retry without running their steps again', async () => {
    const runs: string[] = [];
    const { store, payloads, clock, deliver } = setup(threeBigSteps(runs));
    const job = aJob({ type: 't', command: 'go', params: {}, retryDelaySeconds: 1 });
    await store.create(job);
    expect((await deliver(job.id)).kind).toBe('retry');
    const retrying = (await store.get(job.id)) as Job;
    const [a, b] = retrying.steps ?? [];
    expect(a?.result).toBeUndefined();
    expect(a?.resultRef?.bytes).toBeGreaterThan(BYTES);
    const storedA = await payloads.get(stepResultKey(job.id, a?.resultRef?.object ?? ''));
    const storedB = await payloads.get(stepResultKey(job.id, b?.resultRef?.object ?? ''));
    // The job view shows only the size of an offloaded result.
    expect(toJobView(retrying).steps[0]).toEqual({
      name: 'a',
      status: 'completed',
      attempt: 1,
      completedAt: expect.any(String),
      resultOffloaded: true,
      resultBytes: Buffer.byteLength(storedA),
    });
    expect(JSON.stringify(toJobView(retrying)).length).toBeLessThan(2_000);

    clock.set(retrying.queuedAt ?? '');
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(runs).toEqual(['a@1', 'b@1', 'c@1', 'c@2']);
    const done = (await store.get(job.id)) as Job;
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ results: ['a:100001', 'b:100001', 'c:100001'] });
    // The objects the retry read are those the first attempt wrote, unchanged.
    expect(await payloads.get(stepResultKey(job.id, a?.resultRef?.object ?? ''))).toBe(storedA);
    expect(await payloads.get(stepResultKey(job.id, b?.resultRef?.object ?? ''))).toBe(storedB);
    expect(done.steps?.map((step) => step.resultRef?.object)).toEqual([
      a?.resultRef?.object,
      b?.resultRef?.object,
      expect.stringMatching(new RegExp(`^${done.epoch}-2-`)),
    ]);

    const later = new TestClock(new Date(Date.parse(done.completedAt ?? '') + 40 * 86_400_000));
    expect((await cleanupWithin({ store, clock: later, payloads }, { days: 30 })).deleted).toBe(1);
    expect(payloads.keysOf(job.id)).toEqual([]);
  });

  it('runs a step again when its offloaded result is gone', async () => {
    const runs: string[] = [];
    const { store, payloads, clock, deliver } = setup(threeBigSteps(runs));
    const job = aJob({ type: 't', command: 'go', params: {}, retryDelaySeconds: 1 });
    await store.create(job);
    await deliver(job.id);
    const retrying = (await store.get(job.id)) as Job;
    await payloads.delete(stepResultKey(job.id, retrying.steps?.[0]?.resultRef?.object ?? ''));
    clock.set(retrying.queuedAt ?? '');
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(runs).toEqual(['a@1', 'b@1', 'c@1', 'a@2', 'c@2']);
    expect((await store.get(job.id))?.status).toBe('completed');
  });

  it('retries the job when an offloaded result cannot be written', async () => {
    const { store, payloads, deliver } = setup(threeBigSteps([]));
    payloads.failPuts = true;
    const job = aJob({ type: 't', command: 'go', params: {}, retryDelaySeconds: 1 });
    await store.create(job);
    expect((await deliver(job.id)).kind).toBe('retry');
    expect(await store.get(job.id)).toMatchObject({
      status: 'retrying',
      error: { code: 'step_not_stored', retryable: true },
    });
    expect((await store.get(job.id))?.steps ?? []).toEqual([]);
  });
});
