import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sleep } from '../../functions/agents/demo.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { PermanentJobError, TransientJobError } from '../../functions/core/errors.ts';
import { INLINE_PAYLOAD_BYTES } from '../../functions/core/limits.ts';
import { runJob } from '../../functions/usecases/run-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { testRunJobDeps } from '../support/run-job-deps.ts';

function setup(
  run: (params: { n?: number }, ctx: Parameters<Parameters<typeof command>[0]['run']>[1]) => Promise<unknown>,
) {
  const store = new MemoryJobStore();
  const clock = new TestClock('2026-05-01T00:00:00.000Z');
  const calls = { count: 0 };
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'test agent',
      params: z.object({ n: z.number().optional() }),
      run: async (params, ctx) => {
        calls.count += 1;
        return run(params, ctx);
      },
    }),
  });
  const deps = testRunJobDeps({ store, agents, clock, heartbeatMs: 20 });
  const visibility: number[] = [];
  const control = { setVisibility: async (seconds: number) => void visibility.push(seconds) };
  return { store, clock, deps, calls, control, visibility };
}

const job = (overrides = {}) => aJob({ type: 't', command: 'go', params: {}, ...overrides });

describe('runJob', () => {
  it('claims, runs and completes a job', async () => {
    const { store, deps, control } = setup(async () => ({ done: true }));
    const queued = job();
    await store.create(queued);
    const outcome = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(outcome.kind).toBe('finished');
    expect(await store.get(queued.id)).toMatchObject({
      status: 'completed',
      attempt: 1,
      result: { done: true },
    });
  });

  it('runs a job once when the same message is delivered twice at the same time', async () => {
    const { store, deps, calls, control } = setup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return 'ok';
    });
    const queued = job();
    await store.create(queued);
    const outcomes = await Promise.all([
      runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000),
      runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['dropped', 'finished']);
    expect(calls.count).toBe(1);
    expect((await store.get(queued.id))?.attempt).toBe(1);
  });

  it('drops a message whose epoch is stale, and one for a missing job', async () => {
    const { store, deps, calls, control } = setup(async () => 'ok');
    const queued = job({ epoch: 2 });
    await store.create(queued);
    expect(await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000)).toMatchObject({
      kind: 'dropped',
      reason: 'stale epoch',
    });
    expect(await runJob(deps, { jobId: 'nope', epoch: 1 }, control, 60_000)).toMatchObject({
      kind: 'dropped',
    });
    expect(calls.count).toBe(0);
  });

  it('schedules a retry with backoff for a transient error', async () => {
    const { store, deps, control, clock } = setup(async () => {
      throw new TransientJobError('rate limited', 'rate_limited');
    });
    const queued = job({ retryDelaySeconds: 10 });
    await store.create(queued);
    const outcome = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(outcome).toMatchObject({ kind: 'retry', delaySeconds: 10 });
    expect(await store.get(queued.id)).toMatchObject({
      status: 'retrying',
      error: { code: 'rate_limited', retryable: true },
    });
    // The redelivered message claims the retrying job again once the backoff has passed.
    clock.tick(10_000);
    const second = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(second.kind).toBe('retry');
    expect((await store.get(queued.id))?.attempt).toBe(2);
  });

  it('hides a message that comes back before the backoff ended for the time left, without claiming', async () => {
    const { store, deps, calls, control, clock } = setup(async () => {
      throw new TransientJobError('rate limited', 'rate_limited');
    });
    const queued = job({ retryDelaySeconds: 10 });
    await store.create(queued);
    await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    // Hiding the message for the backoff failed: it is back after 3.5 s.
    clock.tick(3_500);
    const early = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(early).toMatchObject({ kind: 'early', delaySeconds: 7 });
    expect(calls.count).toBe(1);
    expect(await store.get(queued.id)).toMatchObject({ status: 'retrying', attempt: 1 });
    clock.tick(6_500);
    expect((await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000)).kind).toBe('retry');
    expect(calls.count).toBe(2);
  });

  it('fails at once on a permanent error and on params that do not fit the agent', async () => {
    const { store, deps, control } = setup(async () => {
      throw new PermanentJobError('refused');
    });
    const first = job();
    const badParams = job({ params: { n: 'not a number' } });
    await store.create(first);
    await store.create(badParams);
    await runJob(deps, { jobId: first.id, epoch: 1 }, control, 60_000);
    await runJob(deps, { jobId: badParams.id, epoch: 1 }, control, 60_000);
    expect(await store.get(first.id)).toMatchObject({ status: 'failed', error: { code: 'permanent_error' } });
    expect(await store.get(badParams.id)).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_params' },
    });
  });

  it('marks the job dead when its retries are exhausted', async () => {
    const { store, deps, control, clock } = setup(async () => {
      throw new Error('crash');
    });
    const queued = job({ maxRetries: 1 });
    await store.create(queued);
    const first = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(first.kind).toBe('retry');
    clock.tick(first.kind === 'retry' ? first.delaySeconds * 1000 : 0);
    expect((await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000)).kind).toBe('finished');
    expect(await store.get(queued.id)).toMatchObject({
      status: 'dead',
      attempt: 2,
      error: { code: 'agent_error' },
    });
  });

  it('fails a job whose deadline passed before it started, without running it', async () => {
    const { store, deps, calls, control } = setup(async () => 'ok');
    const late = job({ deadline: '2026-04-30T00:00:00.000Z' });
    await store.create(late);
    await runJob(deps, { jobId: late.id, epoch: 1 }, control, 60_000);
    expect(calls.count).toBe(0);
    expect(await store.get(late.id)).toMatchObject({
      status: 'failed',
      error: { code: 'deadline_exceeded' },
    });
  });

  it('stops the agent when a cancel request arrives and records cancelled', async () => {
    const { store, deps, control } = setup(async (_params, ctx) => {
      await sleep(10_000, ctx.signal);
      return 'never';
    });
    const queued = job();
    await store.create(queued);
    const running = runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    await waitFor(async () => (await store.get(queued.id))?.status === 'running');
    const current = store.jobs.get(queued.id);
    if (current) store.jobs.set(queued.id, { ...current, status: 'cancelling' });
    await running;
    expect(await store.get(queued.id)).toMatchObject({ status: 'cancelled' });
  });

  it('times out an agent that ignores its signal and records a retryable timeout', async () => {
    const { store, deps, control } = setup(() => new Promise(() => undefined));
    const queued = job({ timeoutSeconds: 1, maxRetries: 0 });
    await store.create(queued);
    await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(await store.get(queued.id)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retryable: true },
    });
  });

  it('stops short of the Lambda deadline so the outcome is recorded', async () => {
    const { store, deps, control } = setup(() => new Promise(() => undefined));
    const queued = job({ timeoutSeconds: 300 });
    await store.create(queued);
    const outcome = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 50);
    expect(outcome.kind).toBe('retry');
    expect((await store.get(queued.id))?.error?.code).toBe('timeout');
  });

  it('writes coalesced progress and extends the message visibility while running', async () => {
    const { store, deps, control, visibility } = setup(async (_params, ctx) => {
      for (let i = 1; i <= 5; i++) {
        ctx.progress(i * 20, 'step', `${i}/5`);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      return 'ok';
    });
    const queued = job();
    await store.create(queued);
    await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    const done = await store.get(queued.id);
    expect(done?.status).toBe('completed');
    expect(done?.progress).toEqual({ percent: 100, stage: 'step', message: expect.any(String) });
    expect(store.applied.filter((name) => name === 'progress').length).toBeLessThan(5);
    expect(visibility.length).toBeGreaterThan(0);
  });

  it('finishes with the last reported progress, even one coalescing held back', async () => {
    const { store, deps, control } = setup(async (_params, ctx) => {
      for (let i = 1; i <= 4; i++) ctx.progress((i / 4) * 100, 'sleeping', `${i}/4`);
      return 'ok';
    });
    const queued = job();
    await store.create(queued);
    await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect((await store.get(queued.id))?.progress).toEqual({
      percent: 100,
      stage: 'sleeping',
      message: '4/4',
    });
  });

  it('keeps the last reported progress when the run fails', async () => {
    const { store, deps, control } = setup(async (_params, ctx) => {
      ctx.progress(25, 'load', '1/4');
      ctx.progress(50, 'load', '2/4');
      throw new PermanentJobError('broken');
    });
    const queued = job();
    await store.create(queued);
    await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(await store.get(queued.id)).toMatchObject({
      status: 'failed',
      progress: { percent: 50, stage: 'load', message: '2/4' },
    });
  });

  it.each([
    [
      'too large (no payload store)',
      () => ({ data: 'x'.repeat(INLINE_PAYLOAD_BYTES) }),
      'result_too_large',
      'at most',
    ],
    ['too deep', () => JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`), 'result_too_large', 'deeper'],
    ['not JSON', () => ({ big: 10n }), 'result_not_serializable', 'not JSON'],
  ])('fails a result that is %s permanently, saying why', async (_case, result, code, says) => {
    const { store, deps, control } = setup(async () => result());
    const queued = job({ maxRetries: 3 });
    await store.create(queued);
    const outcome = await runJob(deps, { jobId: queued.id, epoch: 1 }, control, 60_000);
    expect(outcome.kind).toBe('finished');
    const failed = await store.get(queued.id);
    expect(failed).toMatchObject({ status: 'failed', result: null, error: { code, retryable: false } });
    expect(failed?.error?.message).toContain(says);
  });

  it('recovers a job whose worker died: the redelivered message retries it', async () => {
    const { store, deps, clock, control } = setup(async () => 'ok');
    const orphan = job({ status: 'running', attempt: 1, heartbeatAt: '2026-04-30T23:50:00.000Z' });
    await store.create(orphan);
    const outcome = await runJob(deps, { jobId: orphan.id, epoch: 1 }, control, 60_000);
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(await store.get(orphan.id)).toMatchObject({ status: 'retrying', error: { code: 'worker_lost' } });
    // A job with a fresh heartbeat is left to the worker that has it.
    const alive = job({ status: 'running', attempt: 1, heartbeatAt: clock.now().toISOString() });
    await store.create(alive);
    expect(await runJob(deps, { jobId: alive.id, epoch: 1 }, control, 60_000)).toMatchObject({
      kind: 'dropped',
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
