/**
 * Every method of @tiered-job-queue/client against the local stack (HTTP and WebSocket APIs), including
 * the error mapping of both error shapes (the contract's and API Gateway's own).
 */
import { type Job, JobsApiError, JobsClient } from '@tiered-job-queue/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let alice: JobsClient;
let admin: JobsClient;

beforeAll(async () => {
  stack = await startTestStack('client-sdk');
  const client = async (user: string, isAdmin = false) =>
    new JobsClient({ apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, token: await tokenFor(user, isAdmin) });
  alice = await client('sdk-alice');
  admin = await client('sdk-ops', true);
});

afterAll(async () => {
  await stack?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<JobsApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobsApiError);
  return error as JobsApiError;
}

describe('JobsClient against the local stack', () => {
  it('submits, gets, waits and watches a job to completion', async () => {
    const job = await alice.submit({ type: 'demo', command: 'sleep', params: { seconds: 1, steps: 4 } });
    expect(job).toMatchObject({ type: 'demo', command: 'sleep', status: 'queued' });
    expect(job.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await alice.get(job.id)).id).toBe(job.id);

    const seen: Job[] = [];
    const watching = alice.watch(job.id, (update) => seen.push(update));
    const waited = await alice.wait(job.id, { timeoutMs: 60_000 });
    expect(waited).toMatchObject({ id: job.id, status: 'completed', result: { slept: 1 } });
    const last = await watching.done;
    expect(last?.status).toBe('completed');
    const seqs = seen.map((update) => update.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seen.at(-1)?.status).toBe('completed');
  });

  it('submits through /agents/{type}/{command} and returns the original job for a repeated key', async () => {
    const first = await alice.submitTo('demo', 'echo', { params: { value: 'x' }, idempotencyKey: 'sdk-k1' });
    const again = await alice.submitTo('demo', 'echo', { params: { value: 'x' }, idempotencyKey: 'sdk-k1' });
    expect(again.id).toBe(first.id);
    const conflict = await rejection(
      alice.submit({ type: 'demo', command: 'echo', params: { value: 'y' }, idempotencyKey: 'sdk-k1' }),
    );
    expect([conflict.status, conflict.code]).toEqual([409, 'idempotency_conflict']);
  });

  it('lists every page as an async iterator and counts', async () => {
    const user = new JobsClient({ apiUrl: stack.httpUrl, token: await tokenFor('sdk-lister') });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await user.submit({ type: 'demo', command: 'echo', params: { value: i }, delaySeconds: 600 })).id,
      );
    const listed: string[] = [];
    for await (const job of user.list({ limit: 2 })) listed.push(job.id);
    expect(listed).toEqual([...ids].reverse());
    // Counts come from counters the jobs stream moves: they catch up within seconds.
    await expect.poll(() => user.count(), { timeout: 30_000, interval: 250 }).toBe(3);
    expect(await user.count({ status: 'completed' })).toBe(0);
    const stats = await user.stats();
    expect(stats.total).toBe(3);
    expect(Object.keys(stats.tiers)).toEqual(['critical', 'high', 'normal', 'low']);
    // Metrics history: the three submissions land in the last hour's one-minute points.
    const from = new Date(Date.now() - 3600_000).toISOString();
    await expect
      .poll(
        async () =>
          (await user.metrics({ from, step: 60 })).points.reduce((sum, point) => sum + point.submitted, 0),
        { timeout: 30_000, interval: 250 },
      )
      .toBe(3);
    const history = await user.metrics({ from, step: 3600 });
    expect(history.step).toBe(3600);
  });

  it('cancels and retries', async () => {
    const job = await alice.submit({ type: 'demo', command: 'echo', delaySeconds: 600 });
    expect((await alice.cancel(job.id)).status).toBe('cancelled');
    const again = await rejection(alice.cancel(job.id));
    expect([again.status, again.code]).toEqual([409, 'not_cancellable']);
    // Requeued at once (the retry ignores the original delay), so the echo then runs to completion.
    expect((await alice.retry(job.id)).status).toMatch(/^(queued|scheduled)$/);
    const notRetryable = await rejection(
      alice.retry((await alice.submit({ type: 'demo', command: 'echo', delaySeconds: 600 })).id),
    );
    expect([notRetryable.status, notRetryable.code]).toEqual([409, 'not_retryable']);
  });

  it('lists agents', async () => {
    const agents = await alice.agents();
    expect(agents.find((agent) => agent.type === 'demo')?.commands.map((c) => c.name)).toContain('sleep');
  });

  it('runs the admin methods: dead, redrive, recover, cleanup', async () => {
    const doomed = await alice.submit({
      type: 'demo',
      command: 'fail',
      params: { times: 5 },
      maxRetries: 0,
    });
    const dead = await alice.wait(doomed.id, { timeoutMs: 60_000 });
    expect(dead.status).toBe('dead');
    const deadIds: string[] = [];
    for await (const job of admin.dead({ limit: 100 })) deadIds.push(job.id);
    expect(deadIds).toContain(doomed.id);
    expect(await admin.redrive({ jobIds: [doomed.id] })).toEqual({ requeued: 1 });
    expect(await admin.recover()).toHaveProperty('recovered');
    expect(await admin.cleanup({ days: 1 })).toEqual({ deleted: 0, complete: true, nextCursor: null });
    const forbidden = await rejection(alice.recover());
    expect([forbidden.status, forbidden.code]).toEqual([403, 'forbidden']);
  });

  it("maps API Gateway's refusals and the contract's errors to JobsApiError", async () => {
    const missing = await rejection(alice.get('no-such-job'));
    expect([missing.status, missing.code]).toEqual([404, 'not_found']);
    const invalid = await rejection(alice.submit({ type: 'demo', command: 'echo', priority: 42 }));
    expect([invalid.status, invalid.code]).toEqual([400, 'validation_error']);
    expect(invalid.details).toBeTruthy();
    const anonymous = new JobsClient({ apiUrl: stack.httpUrl, token: 'not-a-jwt' });
    const refused = await rejection(anonymous.count());
    // API Gateway's authorizer refusal `{"message":"Unauthorized"}` and a handler's 401 map alike.
    expect([refused.status, refused.code]).toEqual([401, 'unauthorized']);
    await expect(alice.wait('no-such-job', { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('takes a fresh token from getToken', async () => {
    const tokens = ['expired.token.value', await tokenFor('sdk-alice')];
    const refreshing = new JobsClient({ apiUrl: stack.httpUrl, getToken: () => tokens.shift() ?? '' });
    expect(await refreshing.count()).toBeGreaterThan(0);
  });
});
