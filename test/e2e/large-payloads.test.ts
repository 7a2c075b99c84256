/**
 * Params and results over 256 KiB through S3 (the emulator) end to end: a 2 MB params body and a 20 MB
 * result round-trip byte for byte through GET /jobs/{id}/params and /result (a 303 to a short-lived link),
 * the 250 KB job of the hardening issue completes, only the owner or an admin reads them, and request
 * bodies stop at 5 MiB. The client library's `params(id)` and `result(id)` follow the redirects.
 */
import { JobsClient } from '@tiered-job-queue/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../functions/core/limits.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let alice: ReturnType<typeof apiClient>;
let bob: ReturnType<typeof apiClient>;
let admin: ReturnType<typeof apiClient>;

type JobBody = { job: JobView };

beforeAll(async () => {
  stack = await startTestStack('payloads');
  alice = apiClient(stack.httpUrl, await tokenFor('alice'));
  bob = apiClient(stack.httpUrl, await tokenFor('bob'));
  admin = apiClient(stack.httpUrl, await tokenFor('root', true));
});

afterAll(async () => {
  await stack?.stop();
});

const terminal = (id: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const { body } = await alice.get<JobBody>(`/jobs/${id}`);
    return ['completed', 'failed', 'dead', 'cancelled'].includes(body.job.status) && body.job;
  }, timeoutMs);

/** Follows the 303 of a payload route to its link, without the API's Authorization header. */
async function download(client: ReturnType<typeof apiClient>, path: string): Promise<string> {
  const redirect = await client.getUnfollowed(path);
  expect(redirect.status).toBe(303);
  const location = redirect.headers.get('location') ?? '';
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+X-Amz-Signature=/);
  const object = await fetch(location);
  expect(object.status).toBe(200);
  return object.text();
}

describe('params over 256 KiB', () => {
  it('accepts a 2 MB body, keeps the params in S3 and returns them byte for byte', async () => {
    const params = { value: `${'p'.repeat(2_000_000)}🙂"\\end` };
    const body = JSON.stringify({ type: 'demo', command: 'echo', params });
    const submitted = await alice.postRaw<JobBody>('/jobs', body);
    expect(submitted.status).toBe(202);
    expect(submitted.body.job).toMatchObject({ params: null, paramsTruncated: true });

    expect(await download(alice, `/jobs/${submitted.body.job.id}/params`)).toBe(JSON.stringify(params));
    const job = await terminal(submitted.body.job.id);
    expect(job).toMatchObject({ status: 'completed', result: null, resultTruncated: true });
    expect(await download(alice, `/jobs/${job.id}/result`)).toBe(JSON.stringify({ value: params.value }));

    // The client library follows the redirects itself (and sends no token to S3).
    const client = new JobsClient({ apiUrl: stack.httpUrl, token: await tokenFor('alice') });
    expect(await client.params(job.id)).toEqual(params);
    expect(await client.result(job.id)).toEqual({ value: params.value });
    const outsider = new JobsClient({ apiUrl: stack.httpUrl, token: await tokenFor('bob') });
    await expect(outsider.result(job.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('completes the 250 KB job of the hardening issue', async () => {
    const value = 'x'.repeat(250 * 1024);
    const submitted = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value },
    });
    expect(submitted.status).toBe(202);
    const job = await terminal(submitted.body.job.id);
    expect(job.status).toBe('completed');
    // Params this size stay in the item; the echoed result does not fit beside them and goes to S3.
    expect(job.params).toEqual({ value });
    expect(job.resultTruncated).toBe(true);
    expect(JSON.parse(await download(alice, `/jobs/${job.id}/result`))).toEqual({ value });
  });

  it('refuses a body over 5 MiB with 413', async () => {
    const params = { value: 'x'.repeat(MAX_REQUEST_BODY_BYTES) };
    const refused = await alice.post<{ error: { code: string } }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params,
    });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('payload_too_large');
  });
});

describe('results', () => {
  it('round-trips a 20 MB result through S3', async () => {
    const bytes = 20_000_000;
    const submitted = await alice.post<JobBody>('/agents/demo/blob', { params: { bytes } });
    const job = await terminal(submitted.body.job.id, 120_000);
    expect(job).toMatchObject({ status: 'completed', result: null, resultTruncated: true });
    const text = await download(alice, `/jobs/${job.id}/result`);
    expect(text.length).toBe(bytes + '{"data":""}'.length);
    expect(text === `{"data":"${'x'.repeat(bytes)}"}`).toBe(true);
  });

  it('answers small ones inline, and only to the owner or an admin', async () => {
    const submitted = await alice.post<JobBody>('/agents/demo/echo', { params: { value: [1, 'two'] } });
    const job = await terminal(submitted.body.job.id);
    const result = await alice.get(`/jobs/${job.id}/result`);
    expect(result).toMatchObject({ status: 200, body: { value: [1, 'two'] } });
    expect((await alice.get(`/jobs/${job.id}/params`)).body).toEqual({ value: [1, 'two'] });
    expect((await admin.get(`/jobs/${job.id}/params`)).body).toEqual({ value: [1, 'two'] });
    const foreign = await bob.get<{ error: { code: string } }>(`/jobs/${job.id}/result`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
  });
});
