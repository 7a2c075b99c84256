/**
 * The store's limits and fidelity end to end on the local stack: params at the item's limit complete (larger
 * ones: large-payloads.test.ts), deep params work, a finished job shows its last progress, a retry keeps
 * counting attempts with a fresh budget, and listing cursors are opaque and bound to their listing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { INLINE_PARAMS_BYTES } from '../../functions/core/limits.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let alice: ReturnType<typeof apiClient>;
let bob: ReturnType<typeof apiClient>;

type JobBody = { job: JobView };
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

beforeAll(async () => {
  stack = await startTestStack('limits');
  alice = apiClient(stack.httpUrl, await tokenFor('alice'));
  bob = apiClient(stack.httpUrl, await tokenFor('bob'));
});

afterAll(async () => {
  await stack?.stop();
});

const terminal = (client: ReturnType<typeof apiClient>, id: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const { body } = await client.get<JobBody>(`/jobs/${id}`);
    return ['completed', 'failed', 'dead', 'cancelled'].includes(body.job.status) && body.job;
  }, timeoutMs);

describe('what a job may hold', () => {
  it('accepts params just under the item limit and carries the job to completion', async () => {
    // The largest params kept in the job item; larger ones go to S3 (large-payloads.test.ts).
    const value = 'y'.repeat(INLINE_PARAMS_BYTES - 100);
    const submitted = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value },
    });
    expect(submitted.status).toBe(202);
    const job = await terminal(alice, submitted.body.job.id);
    expect(job.status).toBe('completed');
    expect(job.params).toEqual({ value });
    // The echoed result does not fit beside them: it is in S3.
    expect(job).toMatchObject({ result: null, resultTruncated: true });
  });

  it('runs params nested 40 levels deep and refuses 10,000 levels with a 400', async () => {
    let value: unknown = 'leaf';
    for (let level = 0; level < 40; level++) value = { down: value };
    const submitted = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value },
    });
    expect(submitted.status).toBe(202);
    expect(await terminal(alice, submitted.body.job.id)).toMatchObject({
      status: 'completed',
      result: { value },
    });

    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const refused = await alice.postRaw<ErrorBody>(
      '/jobs',
      `{"type":"demo","command":"echo","params":{"value":${deep}}}`,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_error');
    expect(JSON.stringify(refused.body.error.details)).toContain('deeper than');
  });
});

describe('fidelity of what a job shows', () => {
  it('ends a 4-step demo/sleep with the last progress, 4/4', async () => {
    const submitted = await alice.post<JobBody>('/agents/demo/sleep', { params: { seconds: 0.4, steps: 4 } });
    const job = await terminal(alice, submitted.body.job.id);
    expect(job).toMatchObject({
      status: 'completed',
      progress: { percent: 100, stage: 'sleeping', message: '4/4' },
    });
  });

  it('keeps counting attempts across a retry and gives a fresh retry budget', async () => {
    const submitted = await alice.post<JobBody>('/agents/demo/fail', {
      params: { times: 3 },
      maxRetries: 1,
      retryDelaySeconds: 1,
    });
    const dead = await terminal(alice, submitted.body.job.id);
    expect(dead).toMatchObject({ status: 'dead', attempt: 2 });
    const retried = await alice.post<JobBody>(`/jobs/${dead.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.job).toMatchObject({ status: 'queued', attempt: 2 });
    // Run 3 fails and is retried (a fresh budget of one retry), run 4 succeeds.
    expect(await terminal(alice, dead.id)).toMatchObject({
      status: 'completed',
      attempt: 4,
      result: { attempts: 4 },
    });
  });
});

describe('listing cursors', () => {
  it('are opaque and open only for the same user and listing', async () => {
    for (let i = 0; i < 3; i++) await alice.post('/jobs', { type: 'demo', command: 'echo', params: {} });
    const first = await alice.get<{ jobs: JobView[]; nextCursor: string }>('/jobs?limit=1');
    const cursor = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/U#|alice|JOB#/);

    const next = await alice.get<{ jobs: JobView[] }>(`/jobs?limit=1&cursor=${cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.jobs[0]?.id).not.toBe(first.body.jobs[0]?.id);

    const tampered = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`;
    for (const [client, query] of [
      [bob, `cursor=${cursor}`],
      [alice, `cursor=${tampered}`],
      [alice, `status=completed&cursor=${cursor}`],
      [alice, `cursor=${Buffer.from('{"pk":{"S":"JOB#x"}}').toString('base64url')}`],
    ] as const) {
      const refused = await client.get<ErrorBody>(`/jobs?limit=1&${query}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_error');
    }
  });
});
