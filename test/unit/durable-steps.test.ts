/**
 * Durable steps and continuations through runJob, with the in-memory store and a test clock: the clock
 * moves only when a step says so, so "a step took 3 s" and "the invocation has 5 s" are exact.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentContext, AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { requestCancel } from '../../functions/core/control-transitions.ts';
import { TransientJobError } from '../../functions/core/errors.ts';
import type { Job } from '../../functions/core/job.ts';
import { MAX_STEP_RESULTS_BYTES } from '../../functions/core/limits.ts';
import { cancelJob } from '../../functions/usecases/change-job.ts';
import { recover } from '../../functions/usecases/maintenance.ts';
import { runJob } from '../../functions/usecases/run-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { deliverCurrent, testRunJobDeps } from '../support/run-job-deps.ts';

type Run = (ctx: AgentContext, tools: { clock: TestClock }) => Promise<unknown>;

function setup(run: Run, options: { durable?: boolean } = {}) {
  const store = new MemoryJobStore();
  const clock = new TestClock('2026-05-01T00:00:00.000Z');
  const sent: Job[] = [];
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'test agent',
      durable: options.durable ?? true,
      params: z.object({}),
      run: (_params, ctx) => run(ctx, { clock }),
    }),
  });
  const deps = testRunJobDeps({
    store,
    agents,
    clock,
    heartbeatMs: 20,
    dispatcher: { dispatch: async (job) => void sent.push(job) },
  });
  const deliver = (id: string, budgetMs = 5_000) => deliverCurrent(deps, id, budgetMs);
  return { store, clock, sent, deps, deliver };
}

const newJob = (overrides: Partial<Job> = {}) =>
  aJob({ type: 't', command: 'go', params: {}, retryDelaySeconds: 1, ...overrides });

describe('ctx.step', () => {
  it('replays completed steps on a retry: only the failed step and those after it run again', async () => {
    const runs: string[] = [];
    const { store, clock, deliver } = setup(async (ctx) => {
      const a = await ctx.step('research', async () => {
        runs.push(`research@${ctx.attempt}`);
        return { notes: ['n1'] };
      });
      const b = await ctx.step('draft', async () => {
        runs.push(`draft@${ctx.attempt}`);
        if (ctx.attempt === 1) throw new TransientJobError('model overloaded');
        return `draft from ${a.notes.length} notes`;
      });
      return { b };
    });
    const job = newJob();
    await store.create(job);
    expect((await deliver(job.id)).kind).toBe('retry');
    const retrying = await store.get(job.id);
    expect(retrying?.steps?.map(({ name, status, attempt }) => ({ name, status, attempt }))).toEqual([
      { name: 'research', status: 'completed', attempt: 1 },
      { name: 'draft', status: 'failed', attempt: 1 },
    ]);
    // The retry's message comes back once its backoff has passed.
    clock.set(retrying?.queuedAt ?? '');
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(runs).toEqual(['research@1', 'draft@1', 'draft@2']);
    const done = await store.get(job.id);
    expect(done).toMatchObject({ status: 'completed', attempt: 2, result: { b: 'draft from 1 notes' } });
    // The view keeps the run order; a completed job no longer holds the step results.
    expect(done?.steps?.map((step) => [step.name, step.status, step.attempt])).toEqual([
      ['research', 'completed', 1],
      ['draft', 'completed', 2],
    ]);
    expect(done?.steps?.some((step) => step.result !== undefined)).toBe(false);
  });

  it('fails the job permanently when a step name is used twice in one run', async () => {
    const { store, deliver } = setup(async (ctx) => {
      await ctx.step('same', async () => 1);
      await ctx.step('same', async () => 2);
    });
    const job = newJob();
    await store.create(job);
    await deliver(job.id);
    expect(await store.get(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'duplicate_step', retryable: false },
    });
  });

  it('fails the job permanently when the step results outgrow the result limit', async () => {
    const { store, deliver } = setup(async (ctx) => {
      await ctx.step('big', async () => 'x'.repeat(MAX_STEP_RESULTS_BYTES));
    });
    const job = newJob();
    await store.create(job);
    await deliver(job.id);
    expect(await store.get(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'step_result_too_large', retryable: false },
    });
  });
});

/** Four steps of 3 s each (on the test clock), recording where each ran. */
const fourSteps: Run = async (ctx, { clock }) => {
  const ran: Record<string, number> = {};
  for (const name of ['1', '2', '3', '4']) {
    ran[name] = await ctx.step(name, async () => {
      clock.tick(3_000);
      return ctx.continuation;
    });
  }
  return ran;
};

describe('continuations', () => {
  it('hands a durable job to a fresh invocation when the next step would not fit, same attempt', async () => {
    const { store, sent, deliver } = setup(fourSteps);
    const job = newJob();
    await store.create(job);
    const first = await deliver(job.id);
    expect(first.kind).toBe('continued');
    const handedOff = await store.get(job.id);
    expect(handedOff).toMatchObject({ status: 'running', attempt: 1, continuations: 1, epoch: 2 });
    expect(handedOff?.handoffAt).toBeDefined();
    expect(sent.map((s) => s.epoch)).toEqual([2]);

    let outcome = await deliver(job.id);
    while (outcome.kind === 'continued') outcome = await deliver(job.id);
    expect(outcome.kind).toBe('finished');
    const done = await store.get(job.id);
    // 5 s per invocation and 3 s per step: one step per invocation.
    expect(done).toMatchObject({
      status: 'completed',
      attempt: 1,
      continuations: 3,
      result: { '1': 0, '2': 1, '3': 2, '4': 3 },
    });
    expect(done?.handoffAt).toBeUndefined();
  });

  it('never continues a command that is not durable', async () => {
    const { store, sent, deliver } = setup(fourSteps, { durable: false });
    const job = newJob();
    await store.create(job);
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(sent).toEqual([]);
    const done = await store.get(job.id);
    expect(done?.status).toBe('completed');
    expect(done?.continuations ?? 0).toBe(0);
  });

  it('lets only one copy of a continuation message resume the job', async () => {
    let started = 0;
    const { store, deps, deliver } = setup(async (ctx, { clock }) => {
      for (const name of ['1', '2']) {
        await ctx.step(name, async () => {
          started += 1;
          clock.tick(3_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        });
      }
    });
    const job = newJob();
    await store.create(job);
    await deliver(job.id);
    const handedOff = (await store.get(job.id)) as Job;
    const message = { jobId: job.id, epoch: handedOff.epoch };
    const control = { setVisibility: async () => undefined };
    const outcomes = await Promise.all([
      runJob(deps, message, control, 5_000),
      runJob(deps, message, control, 5_000),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['dropped', 'finished']);
    expect(started).toBe(2);
  });

  it('cancels a job between two invocations at once; its continuation message then finds nothing', async () => {
    const { store, clock, deps, deliver } = setup(fourSteps);
    const job = newJob();
    await store.create(job);
    await deliver(job.id);
    const handedOff = (await store.get(job.id)) as Job;
    const cancelled = await cancelJob(deps, job.userId, job.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    const late = await runJob(
      deps,
      { jobId: job.id, epoch: handedOff.epoch },
      { setVisibility: async () => undefined },
      5_000,
    );
    expect(late.kind).toBe('dropped');
    expect((await store.get(job.id))?.status).toBe('cancelled');
    expect(clock.now().getTime()).toBeGreaterThan(0);
  });

  it('ends cancelled when a cancel request reaches a handed-off job before its message does', async () => {
    const { store, deliver } = setup(fourSteps);
    const job = newJob();
    await store.create(job);
    await deliver(job.id);
    const handedOff = (await store.get(job.id)) as Job;
    // A cancel that was requested just before the hand-off was recorded (the run was still holding it).
    await store.apply(handedOff, requestCancel(handedOff));
    expect((await deliver(job.id)).kind).toBe('finished');
    expect(await store.get(job.id)).toMatchObject({ status: 'cancelled' });
  });

  it('counts a durable timeout as wall time across invocations', async () => {
    const { store, deliver } = setup(fourSteps);
    const job = newJob({ timeoutSeconds: 60 });
    await store.create(job);
    await deliver(job.id);
    const handedOff = (await store.get(job.id)) as Job;
    // The attempt started 61 s ago: the next invocation has no time left.
    store.jobs.set(job.id, {
      ...handedOff,
      startedAt: new Date(Date.parse(handedOff.startedAt ?? '') - 61_000).toISOString(),
    });
    expect((await deliver(job.id)).kind).toBe('retry');
    expect(await store.get(job.id)).toMatchObject({ status: 'retrying', error: { code: 'timeout' } });
  });
});

describe('stale recovery of a handed-off job', () => {
  it('re-sends its message when nobody resumed it, and never fails it as a lost worker', async () => {
    const { store, clock, sent, deps, deliver } = setup(fourSteps);
    const job = newJob({ timeoutSeconds: 3600 });
    await store.create(job);
    await deliver(job.id);
    sent.length = 0;
    const maintenance = {
      ...deps,
      dispatcher: deps.dispatcher as NonNullable<typeof deps.dispatcher>,
      staleAfterMs: 120_000,
      lostAfterMs: 900_000,
      deadlineUrgencyMs: 0,
    };
    clock.tick(300_000); // stale by heartbeat, but not yet lost
    expect((await recover(maintenance)).recovered).toBe(0);
    expect(await store.get(job.id)).toMatchObject({ status: 'running', attempt: 1, epoch: 2 });
    clock.tick(700_000);
    expect((await recover(maintenance)).recovered).toBe(1);
    expect(await store.get(job.id)).toMatchObject({ status: 'running', attempt: 1, epoch: 3, resends: 1 });
    expect(sent.map((s) => s.epoch)).toEqual([3]);
    let outcome = await deliver(job.id);
    while (outcome.kind === 'continued') outcome = await deliver(job.id);
    expect(await store.get(job.id)).toMatchObject({ status: 'completed', attempt: 1 });
  });
});
