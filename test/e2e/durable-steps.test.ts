/**
 * Durable steps and continuations on the local stack, with a simulated worker time limit of 5 s
 * (WORKER_BUDGET_SECONDS): one stack for every case, to keep the e2e time small. Large step results go
 * through the stack's S3 emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { registerBigStepsAgent } from '../support/big-steps-agent.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let user: ReturnType<typeof apiClient>;
type JobBody = { job: JobView };

beforeAll(async () => {
  stack = await startTestStack('steps', { workerBudgetSeconds: 5 });
  await registerBigStepsAgent();
  user = apiClient(stack.httpUrl, await tokenFor(`steps-${Date.now()}`));
  // Warm the worker (SDK clients, first connections) first: a cold start on a busy machine can take most
  // of a 5-second invocation.
  const warm = await user.post<JobBody>('/jobs', { type: 'demo', command: 'echo', params: { value: 1 } });
  await until(warm.body.job.id, (job) => job.status === 'completed');
});

afterAll(async () => {
  await stack?.stop();
});

const get = async (id: string) => (await user.get<JobBody>(`/jobs/${id}`)).body.job;
/** Polls the job until `check` holds; on a timeout the error shows the job as last seen. */
async function until(id: string, check: (job: JobView) => boolean, timeoutMs = 90_000): Promise<JobView> {
  let last: JobView | undefined;
  try {
    // Every half second: the polls share the stack's event loop with the worker they wait for.
    return await eventually(
      async () => {
        last = await get(id);
        return check(last) && last;
      },
      timeoutMs,
      500,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; the job was last ${JSON.stringify(last)}`);
  }
}
const submitSteps = async (params: Record<string, unknown>, options: Record<string, unknown> = {}) => {
  const response = await user.post<JobBody>('/agents/demo/steps', { params, ...options });
  expect(response.status).toBe(202);
  return response.body.job;
};

describe.concurrent('demo/steps', () => {
  it('completes a failing step on the next attempt without re-running the steps before it', async () => {
    const job = await submitSteps(
      { steps: 3, secondsPerStep: 0, failAtStep: 2, failTimes: 1 },
      { retryDelaySeconds: 1 },
    );
    const done = await until(job.id, (j) => j.status === 'completed');
    expect(done.attempt).toBe(2);
    expect(done.result).toEqual({
      runs: {
        '1': { attempt: 1, continuation: 0 },
        '2': { attempt: 2, continuation: 0 },
        '3': { attempt: 2, continuation: 0 },
      },
    });
    expect(done.steps.map(({ name, status, attempt }) => ({ name, status, attempt }))).toEqual([
      { name: '1', status: 'completed', attempt: 1 },
      { name: '2', status: 'completed', attempt: 2 },
      { name: '3', status: 'completed', attempt: 2 },
    ]);
  });

  it('runs four 3-second steps past a 5-second invocation limit in one attempt, continuing in fresh invocations', async () => {
    const job = await submitSteps({ steps: 4, secondsPerStep: 3 }, { timeoutSeconds: 120 });
    const done = await until(
      job.id,
      (j) => j.status === 'completed' || j.status === 'failed' || j.status === 'dead',
    );
    expect(done).toMatchObject({ status: 'completed', attempt: 1 });
    expect(done.continuations).toBeGreaterThanOrEqual(2);
    const runs = (done.result as { runs: Record<string, { attempt: number; continuation: number }> }).runs;
    expect(Object.keys(runs)).toEqual(['1', '2', '3', '4']);
    expect(Object.values(runs).every((run) => run.attempt === 1)).toBe(true);
    expect(new Set(Object.values(runs).map((run) => run.continuation)).size).toBeGreaterThanOrEqual(3);
    expect(done.steps).toHaveLength(4);
  });

  it('ends cancelled when cancelled during a continuation', async () => {
    const job = await submitSteps({ steps: 6, secondsPerStep: 3 }, { timeoutSeconds: 300 });
    await until(job.id, (j) => j.status === 'running' && j.continuations >= 1);
    const asked = await user.post<JobBody>(`/jobs/${job.id}/cancel`);
    expect(asked.status).toBe(200);
    expect(['cancelling', 'cancelled']).toContain(asked.body.job.status);
    const final = await until(job.id, (j) => j.status !== 'cancelling' && j.status !== 'running', 30_000);
    expect(final.status).toBe('cancelled');
    expect(final.steps.length).toBeLessThan(6);
  });

  it('keeps large step results in S3 and replays them on the next attempt', async () => {
    const submitted = await user.post<JobBody>('/jobs', {
      type: 'bigsteps',
      command: 'run',
      params: { steps: 3, bytes: 200_000, failAtStep: 3 },
      retryDelaySeconds: 1,
    });
    expect(submitted.status).toBe(202);
    const done = await until(submitted.body.job.id, (j) => j.status === 'completed');
    expect(done.attempt).toBe(2);
    // Steps 1 and 2 ran in attempt 1 only; attempt 2 got their 200,000 characters back from S3.
    expect(done.result).toEqual({
      runs: {
        '1': { attempt: 1, bytes: 200_000 },
        '2': { attempt: 1, bytes: 200_000 },
        '3': { attempt: 2, bytes: 200_000 },
      },
    });
    for (const step of done.steps)
      expect(step).toMatchObject({ status: 'completed', resultOffloaded: true, resultBytes: 200_023 });
  });
});
