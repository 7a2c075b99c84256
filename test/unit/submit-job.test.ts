import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../functions/agents/index.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { AppError } from '../../functions/core/errors.ts';
import type { Job } from '../../functions/core/job.ts';
import { type SubmitDeps, submitJob } from '../../functions/usecases/submit-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

function setup(options: { failDispatch?: boolean } = {}) {
  const store = new MemoryJobStore();
  const sent: Array<{ job: Job; delaySeconds: number | undefined }> = [];
  const deps: SubmitDeps = {
    store,
    agents: createRegistry(),
    clock: new TestClock('2026-06-01T00:00:00.000Z'),
    logger: silentLogger,
    dispatcher: {
      dispatch: async (job, opts) => {
        if (options.failDispatch) throw new Error('SQS is down');
        sent.push({ job, delaySeconds: opts?.delaySeconds });
      },
    },
  };
  return { store, deps, sent };
}

const input = (body: Record<string, unknown>) =>
  parseInput(submitJobSchema, { type: 'demo', command: 'echo', ...body });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('submitJob', () => {
  it('stores a queued job with defaults and sends its message to the tier queue', async () => {
    const { store, deps, sent } = setup();
    const { job } = await submitJob(deps, 'alice', input({ params: { value: 1 }, priority: 9 }));
    expect(job).toMatchObject({
      status: 'queued',
      tier: 'critical',
      maxRetries: 3,
      timeoutSeconds: 300,
      attempt: 0,
      seq: 1,
    });
    expect(await store.get(job.id)).toMatchObject({ userId: 'alice', params: { value: 1 } });
    expect(sent).toEqual([{ job, delaySeconds: 0 }]);
  });

  it('applies the agent schema defaults to params', async () => {
    const { deps } = setup();
    const { job } = await submitJob(deps, 'alice', input({ command: 'sleep', params: { seconds: 1 } }));
    expect(job.params).toEqual({ seconds: 1, steps: 10 });
  });

  it('delays a job up to 15 minutes with the SQS message delay', async () => {
    const { deps, sent } = setup();
    const { job } = await submitJob(deps, 'alice', input({ delaySeconds: 600 }));
    expect(job).toMatchObject({ status: 'queued', runAt: '2026-06-01T00:10:00.000Z' });
    expect(sent[0]?.delaySeconds).toBe(600);
  });

  it('stores a job further ahead as scheduled, without a message', async () => {
    const { deps, sent } = setup();
    const { job } = await submitJob(deps, 'alice', input({ runAt: '2026-06-08T00:00:00Z' }));
    expect(job).toMatchObject({ status: 'scheduled', runAt: '2026-06-08T00:00:00.000Z', queuedAt: null });
    expect(sent).toHaveLength(0);
  });

  it('rejects an unknown agent command', async () => {
    const { deps } = setup();
    expect((await rejection(submitJob(deps, 'alice', input({ command: 'nope' })))).code).toBe(
      'unknown_agent',
    );
  });

  it('names each bad param field', async () => {
    const { deps } = setup();
    const error = await rejection(
      submitJob(deps, 'alice', input({ command: 'sleep', params: { seconds: 900, steps: 0 } })),
    );
    expect(error.code).toBe('validation_error');
    expect((error.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual([
      'params.seconds',
      'params.steps',
    ]);
  });

  it('rejects a deadline in the past or before the start', async () => {
    const { deps } = setup();
    expect(
      (await rejection(submitJob(deps, 'alice', input({ deadline: '2026-05-01T00:00:00Z' })))).details,
    ).toEqual([{ path: 'deadline', message: 'must be in the future' }]);
    const late = input({ delaySeconds: 600, deadline: '2026-06-01T00:05:00Z' });
    expect((await rejection(submitJob(deps, 'alice', late))).code).toBe('validation_error');
  });

  it('rejects dependencies that are missing or belong to someone else', async () => {
    const { store, deps } = setup();
    const foreign = aJob({ userId: 'bob' });
    await store.create(foreign);
    const error = await rejection(submitJob(deps, 'alice', input({ dependsOn: [foreign.id, 'missing'] })));
    expect(error).toMatchObject({ code: 'unknown_dependency', statusCode: 400 });
  });

  it('keeps the job when the queue is unreachable, for the recovery sweep to send', async () => {
    const { store, deps } = setup({ failDispatch: true });
    const { job } = await submitJob(deps, 'alice', input({}));
    expect(await store.get(job.id)).toMatchObject({ status: 'queued' });
  });
});

describe('submitJob idempotency', () => {
  it('returns the original job for a repeated key with the same body, and 409 for another body', async () => {
    const { store, deps, sent } = setup();
    const first = await submitJob(deps, 'alice', input({ params: { value: 1 }, idempotencyKey: 'k1' }));
    const again = await submitJob(deps, 'alice', input({ params: { value: 1 }, idempotencyKey: 'k1' }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
    expect(sent).toHaveLength(1);
    expect(store.jobs.size).toBe(1);
    const conflict = await rejection(
      submitJob(deps, 'alice', input({ params: { value: 2 }, idempotencyKey: 'k1' })),
    );
    expect(conflict).toMatchObject({ code: 'idempotency_conflict', statusCode: 409 });
  });

  it('scopes keys to the user', async () => {
    const { deps } = setup();
    const mine = await submitJob(deps, 'alice', input({ idempotencyKey: 'shared' }));
    const theirs = await submitJob(deps, 'bob', input({ idempotencyKey: 'shared' }));
    expect(theirs.created).toBe(true);
    expect(theirs.job.id).not.toBe(mine.job.id);
  });
});

describe('submitJob dependencies', () => {
  it('waits as pending for unfinished dependencies and records the edges', async () => {
    const { store, deps, sent } = setup();
    const parent = aJob({ userId: 'alice', status: 'running' });
    const done = aJob({ userId: 'alice', status: 'completed' });
    await store.create(parent);
    await store.create(done);
    const { job } = await submitJob(deps, 'alice', input({ dependsOn: [parent.id, done.id] }));
    expect(job.status).toBe('pending');
    expect(sent).toHaveLength(0);
    expect(await store.listDependants(parent.id)).toEqual([job.id]);
    expect(await store.listDependants(done.id)).toEqual([]);
  });

  it('queues at once when every dependency already completed', async () => {
    const { store, deps, sent } = setup();
    const done = aJob({ userId: 'alice', status: 'completed' });
    await store.create(done);
    const { job } = await submitJob(deps, 'alice', input({ dependsOn: [done.id] }));
    expect(job.status).toBe('queued');
    expect(sent).toHaveLength(1);
  });

  it('fails at once with dependency_failed when a dependency already failed', async () => {
    const { store, deps } = setup();
    const failed = aJob({ userId: 'alice', status: 'dead' });
    await store.create(failed);
    const { job } = await submitJob(deps, 'alice', input({ dependsOn: [failed.id] }));
    expect(job).toMatchObject({ status: 'failed', error: { code: 'dependency_failed', retryable: false } });
  });

  it('handles a parent that completes while the child is being created', async () => {
    const { store, deps, sent } = setup();
    const parent = aJob({ userId: 'alice', status: 'running' });
    await store.create(parent);
    // The parent completes between the child's read of it and the child's write.
    const create = store.create.bind(store);
    let raced = false;
    store.create = async (job, options) => {
      if (!raced && options?.waitsFor?.length) {
        raced = true;
        const current = store.jobs.get(parent.id);
        if (current) store.jobs.set(parent.id, { ...current, status: 'completed' });
      }
      return create(job, options);
    };
    const { job } = await submitJob(deps, 'alice', input({ dependsOn: [parent.id] }));
    expect(raced).toBe(true);
    expect(job.status).toBe('queued');
    expect(sent.map((s) => s.job.id)).toEqual([job.id]);
  });
});

describe('submitJob deadlines', () => {
  it('sends a job whose deadline is near one tier up', async () => {
    const { deps } = setup();
    const { job } = await submitJob(deps, 'alice', input({ priority: 5, deadline: '2026-06-01T00:05:00Z' }));
    expect(job.tier).toBe('high');
    const relaxed = await submitJob(deps, 'alice', input({ priority: 5, deadline: '2026-06-02T00:00:00Z' }));
    expect(relaxed.job.tier).toBe('normal');
  });
});

describe('submitJobSchema', () => {
  it('names every bad field and refuses unknown ones', () => {
    const result = submitJobSchema.safeParse({
      type: 'demo',
      command: 'echo',
      priority: 0,
      maxRetries: 11,
      extra: 1,
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.') || issue.code);
    expect(paths).toEqual(expect.arrayContaining(['priority', 'maxRetries', 'unrecognized_keys']));
  });

  it('refuses delaySeconds together with runAt', () => {
    const result = submitJobSchema.safeParse({
      type: 'demo',
      command: 'echo',
      delaySeconds: 5,
      runAt: '2026-06-01T00:00:00Z',
    });
    expect(result.success).toBe(false);
  });
});
