import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../functions/agents/index.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { AppError } from '../../functions/core/errors.ts';
import { type SubmitDeps, type SubmitQuotas, submitJob } from '../../functions/usecases/submit-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

function setup(quotas: SubmitQuotas) {
  const store = new MemoryJobStore();
  const deps: SubmitDeps = {
    store,
    agents: createRegistry(),
    clock: new TestClock('2026-06-01T00:00:00.000Z'),
    logger: silentLogger,
    dispatcher: { dispatch: async () => {} },
    quotas,
  };
  return { store, deps };
}

const input = (body: Record<string, unknown> = {}) =>
  parseInput(submitJobSchema, { type: 'demo', command: 'echo', params: {}, ...body });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('submitJob quotas', () => {
  it('refuses a job past the unfinished-jobs cap with 429 quota_exceeded naming the limit', async () => {
    const { deps } = setup({ maxUnfinishedJobs: 2, maxUserPriority: 10 });
    await submitJob(deps, 'alice', input());
    await submitJob(deps, 'alice', input());
    const error = await rejection(submitJob(deps, 'alice', input()));
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toContain('limit is 2');
    expect(error.details).toEqual({ quota: 'maxUnfinishedJobs', limit: 2 });
    // Another user is not affected.
    await expect(submitJob(deps, 'bob', input())).resolves.toMatchObject({ created: true });
  });

  it('counts only unfinished jobs: finished ones free the quota', async () => {
    const { store, deps } = setup({ maxUnfinishedJobs: 1, maxUserPriority: 10 });
    await store.create(aJob({ id: 'done-1', userId: 'alice', status: 'completed' }));
    await store.create(aJob({ id: 'done-2', userId: 'alice', status: 'failed' }));
    await expect(submitJob(deps, 'alice', input())).resolves.toMatchObject({ created: true });
    expect((await rejection(submitJob(deps, 'alice', input()))).code).toBe('quota_exceeded');
  });

  it('reserves priorities above maxUserPriority for admins with 403 priority_reserved', async () => {
    const { deps } = setup({ maxUnfinishedJobs: 100, maxUserPriority: 8 });
    await expect(submitJob(deps, 'alice', input({ priority: 8 }))).resolves.toMatchObject({ created: true });
    const error = await rejection(submitJob(deps, 'alice', input({ priority: 9 })));
    expect([error.statusCode, error.code]).toEqual([403, 'priority_reserved']);
    expect(error.message).toContain('above 8');
    const admin = { userId: 'root', isAdmin: true };
    await expect(submitJob(deps, admin, input({ priority: 10 }))).resolves.toMatchObject({ created: true });
  });

  it('reserves nothing at the default maxUserPriority of 10', async () => {
    const { deps } = setup({ maxUnfinishedJobs: 100, maxUserPriority: 10 });
    const { job } = await submitJob(deps, { userId: 'alice', isAdmin: false }, input({ priority: 10 }));
    expect(job.priority).toBe(10);
  });
});
