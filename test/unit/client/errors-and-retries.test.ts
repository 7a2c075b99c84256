import { JobsApiError, JobsClient } from '@tiered-job-queue/client';
import { describe, expect, it } from 'vitest';
import { job, json, scriptedFetch } from './fakes.ts';

const fast = { baseMs: 1, maxMs: 2 };
const client = (
  fetch: typeof globalThis.fetch,
  options: Partial<ConstructorParameters<typeof JobsClient>[0]> = {},
) => new JobsClient({ apiUrl: 'http://api.test/', token: 't0', fetch, retryBackoff: fast, ...options });

async function failure(promise: Promise<unknown>): Promise<JobsApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobsApiError);
  return error as JobsApiError;
}

describe('JobsApiError mapping', () => {
  it("keeps the contract's code, message and details", async () => {
    const details = [{ path: 'priority', message: 'too big' }];
    const { fetch } = scriptedFetch(
      json(400, { error: { code: 'validation_error', message: 'bad request body', details } }),
    );
    const error = await failure(client(fetch).submit({ type: 'demo', command: 'echo', priority: 99 }));
    expect({ ...error, message: error.message }).toMatchObject({
      status: 400,
      code: 'validation_error',
      message: 'bad request body',
      details,
    });
  });

  it("maps API Gateway's {message} bodies to a code from the status", async () => {
    const { fetch } = scriptedFetch(json(401, { message: 'Unauthorized' }));
    const error = await failure(client(fetch).get('x'));
    expect([error.status, error.code, error.message]).toEqual([401, 'unauthorized', 'Unauthorized']);
    const forbidden = await failure(client(scriptedFetch(json(403, { message: 'Forbidden' })).fetch).stats());
    expect([forbidden.status, forbidden.code]).toEqual([403, 'forbidden']);
  });

  it('reports network failures as status 0 network_error after the retries', async () => {
    const { fetch, calls } = scriptedFetch(new TypeError('fetch failed'));
    const error = await failure(client(fetch, { retries: 2 }).get('x'));
    expect([error.status, error.code]).toEqual([0, 'network_error']);
    expect(calls).toHaveLength(3);
  });
});

describe('retries', () => {
  it('repeats idempotent calls after 503, 429 and network errors, then succeeds', async () => {
    const done = job({ status: 'completed' });
    const { fetch, calls } = scriptedFetch(
      json(503, { message: 'Service Unavailable' }),
      json(429, { message: 'Too Many Requests' }, { 'retry-after': '0' }),
      new TypeError('socket hang up'),
      json(200, { job: done }),
    );
    expect(await client(fetch).get(done.id)).toEqual(done);
    expect(calls.map((c) => c.url.pathname)).toEqual(Array(4).fill(`/jobs/${done.id}`));
  });

  it('does not repeat a 4xx', async () => {
    const { fetch, calls } = scriptedFetch(
      json(409, { error: { code: 'not_cancellable', message: 'done' } }),
    );
    expect((await failure(client(fetch).cancel('a'))).code).toBe('not_cancellable');
    expect(calls).toHaveLength(1);
  });

  it('gives a submission without a key a generated one, and repeats it with the same key', async () => {
    const created = job();
    const { fetch, calls } = scriptedFetch(new TypeError('reset'), json(202, { job: created }));
    expect(await client(fetch).submit({ type: 'demo', command: 'echo' })).toEqual(created);
    expect(calls).toHaveLength(2);
    const keys = calls.map((c) => (c.body as { idempotencyKey: string }).idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('never repeats a submission without a key when autoIdempotencyKey is off', async () => {
    const { fetch, calls } = scriptedFetch(json(502, { message: 'Bad Gateway' }), json(202, { job: job() }));
    const error = await failure(
      client(fetch, { autoIdempotencyKey: false }).submit({ type: 'demo', command: 'echo' }),
    );
    expect(error.code).toBe('bad_gateway');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).not.toHaveProperty('idempotencyKey');
  });

  it('asks getToken again after a 401 and sends the fresh token', async () => {
    const tokens = ['old', 'new'];
    const { fetch, calls } = scriptedFetch(json(401, { message: 'Unauthorized' }), json(200, { count: 4 }));
    const c = new JobsClient({
      apiUrl: 'http://api.test',
      getToken: async () => tokens.shift() ?? 'none',
      fetch,
    });
    expect(await c.count({ status: 'queued' })).toBe(4);
    expect(calls.map((call) => call.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(calls[1]?.url.search).toBe('?status=queued');
  });
});

describe('list', () => {
  it('is an async iterator that fetches the next page only when iteration reaches it', async () => {
    const pages = [
      { jobs: [job({ id: 'a' }), job({ id: 'b' })], nextCursor: 'c1' },
      { jobs: [job({ id: 'c' })], nextCursor: null },
    ];
    const { fetch, calls } = scriptedFetch((call) =>
      json(200, call.url.searchParams.get('cursor') ? pages[1] : pages[0]),
    );
    const iterator = client(fetch).list({ status: 'completed', limit: 2 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.id).toBe('a');
    expect((await iterator.next()).value?.id).toBe('b');
    expect(calls).toHaveLength(1);
    expect((await iterator.next()).value?.id).toBe('c');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(calls.map((c) => c.url.search)).toEqual([
      '?status=completed&limit=2',
      '?status=completed&limit=2&cursor=c1',
    ]);
  });
});
