import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sleep } from '../../functions/agents/demo.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { AppError } from '../../functions/core/errors.ts';
import { isTerminal, type Job } from '../../functions/core/job.ts';
import { cancelJob, redriveDead, retryJob } from '../../functions/usecases/change-job.ts';
import { runJob } from '../../functions/usecases/run-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

function setup() {
  const store = new MemoryJobStore();
  const clock = new TestClock('2026-08-01T00:00:00.000Z');
  const sent: Job[] = [];
  return {
    store,
    clock,
    sent,
    deps: { store, clock, dispatcher: { dispatch: async (job: Job) => void sent.push(job) } },
  };
}

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('cancelJob', () => {
  it.each(['pending', 'scheduled', 'queued', 'retrying'] as const)(
    'cancels a %s job at once and fences its message',
    async (status) => {
      const { store, deps } = setup();
      const job = aJob({ status, userId: 'u' });
      await store.create(job);
      const cancelled = await cancelJob(deps, 'u', job.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', epoch: 2, error: { code: 'cancelled' } });
    },
  );

  it('asks a running job to stop', async () => {
    const { store, deps } = setup();
    const job = aJob({ status: 'running', userId: 'u' });
    await store.create(job);
    expect((await cancelJob(deps, 'u', job.id)).status).toBe('cancelling');
    expect((await cancelJob(deps, 'u', job.id)).status).toBe('cancelling');
  });

  it('refuses terminal jobs with not_cancellable and foreign jobs with not_found', async () => {
    const { store, deps } = setup();
    const done = aJob({ status: 'completed', userId: 'u' });
    await store.create(done);
    expect(await codeOf(cancelJob(deps, 'u', done.id))).toBe('not_cancellable');
    expect(await codeOf(cancelJob(deps, 'someone-else', done.id))).toBe('not_found');
  });

  it('ends in exactly one terminal state when a cancel races the completion', async () => {
    for (let round = 0; round < 30; round++) {
      const { store, deps, clock } = setup();
      const agents = new AgentRegistry().register('t', {
        go: command({
          description: 'finishes after a short while',
          params: z.object({}),
          run: async (_params, ctx) => {
            await sleep(round % 5, ctx.signal);
            return 'done';
          },
        }),
      });
      const job = aJob({ type: 't', command: 'go', params: {}, userId: 'u' });
      await store.create(job);
      const run = runJob(
        {
          store,
          agents,
          clock,
          logger: silentLogger,
          heartbeatMs: 1,
          staleAfterMs: 60_000,
          progressIntervalMs: 1000,
        },
        { jobId: job.id, epoch: 1 },
        { setVisibility: async () => undefined },
        10_000,
      );
      await new Promise((resolve) => setTimeout(resolve, round % 3));
      const cancel = cancelJob(deps, 'u', job.id).catch((error: AppError) => error.code);
      await Promise.all([run, cancel]);
      const final = await store.get(job.id);
      expect(final && isTerminal(final.status)).toBe(true);
      expect(['completed', 'cancelled']).toContain(final?.status);
      const terminalWrites = store.applied.filter((name) =>
        ['complete', 'acknowledgeCancel', 'cancelWaiting'].includes(name),
      );
      expect(terminalWrites).toHaveLength(1);
    }
  });
});

describe('retryJob and redriveDead', () => {
  it.each(['failed', 'dead', 'cancelled'] as const)(
    'requeues a %s job with a fresh budget',
    async (status) => {
      const { store, deps, sent } = setup();
      const job = aJob({
        status,
        userId: 'u',
        attempt: 4,
        error: { code: 'x', message: 'x', retryable: false },
      });
      await store.create(job);
      const next = await retryJob(deps, 'u', job.id);
      // attempt keeps counting runs started; the budget starts over from here.
      expect(next).toMatchObject({ status: 'queued', attempt: 4, retryBase: 4, epoch: 2, error: null });
      expect(sent.map((s) => s.id)).toEqual([job.id]);
    },
  );

  it('refuses to retry a job that has not ended badly', async () => {
    const { store, deps } = setup();
    for (const status of ['queued', 'running', 'completed'] as const) {
      const job = aJob({ status, userId: 'u' });
      await store.create(job);
      expect(await codeOf(retryJob(deps, 'u', job.id))).toBe('not_retryable');
    }
  });

  it('redrives named dead jobs of any user, or all of them', async () => {
    const { store, deps } = setup();
    const dead = [
      aJob({ status: 'dead', userId: 'a' }),
      aJob({ status: 'dead', userId: 'b' }),
      aJob({ status: 'dead', userId: 'c' }),
    ];
    const notDead = aJob({ status: 'failed' });
    for (const job of [...dead, notDead]) await store.create(job);
    expect(await redriveDead(deps, { jobIds: [dead[0]?.id ?? '', notDead.id, 'missing'] })).toBe(1);
    expect(await redriveDead(deps, { all: true })).toBe(2);
    expect([...store.jobs.values()].filter((job) => job.status === 'dead')).toHaveLength(0);
  });
});
