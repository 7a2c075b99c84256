import { JobsApiError, JobsClient } from '@tiered-job-queue/client';
import { describe, expect, it } from 'vitest';
import { FakeSockets, job, json, scriptedFetch, until } from './fakes.ts';

const fast = { baseMs: 2, maxMs: 4 };

function setup(fetchReplies: Parameters<typeof scriptedFetch> = [json(500, { message: 'unused' })]) {
  const sockets = new FakeSockets();
  const { fetch, calls } = scriptedFetch(...fetchReplies);
  const client = new JobsClient({
    apiUrl: 'http://api.test',
    wsUrl: 'ws://ws.test',
    getToken: () => 'tok en',
    fetch,
    WebSocket: sockets.Constructor,
    retries: 0,
  });
  return { client, sockets, calls };
}

describe('watch', () => {
  it('subscribes with the token, delivers newer seqs only, and resolves done with the terminal job', async () => {
    const { client, sockets } = setup();
    const seen: number[] = [];
    const handle = client.watch('j', (update) => seen.push(update.seq), { backoff: fast });
    await until(() => sockets.sockets.length === 1);
    expect(new URL(sockets.last.url).searchParams.get('token')).toBe('tok en');
    sockets.last.open();
    expect(sockets.last.sent).toEqual([{ action: 'subscribe', jobId: 'j' }]);
    sockets.last.frame({ type: 'job.snapshot', job: job({ id: 'j', seq: 5, status: 'running' }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'j', seq: 5, status: 'running' }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'j', seq: 4, status: 'queued' }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'other', seq: 9 }) });
    sockets.last.frame({ type: 'pong' });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'j', seq: 7, status: 'completed' }) });
    const done = await handle.done;
    expect(done?.status).toBe('completed');
    expect(seen).toEqual([5, 7]);
    expect(sockets.last.readyState).toBe(3);
  });

  it('after a drop, reads the job over HTTP, reconnects, resubscribes and goes on without repeats', async () => {
    const { client, sockets, calls } = setup([
      json(200, { job: job({ id: 'j', seq: 6, status: 'running' }) }),
    ]);
    const seen: number[] = [];
    const errors: unknown[] = [];
    const handle = client.watch('j', (update) => seen.push(update.seq), {
      backoff: fast,
      onError: (e) => errors.push(e),
    });
    await until(() => sockets.sockets.length === 1);
    sockets.last.open();
    sockets.last.frame({ type: 'job.snapshot', job: job({ id: 'j', seq: 3, status: 'running' }) });
    sockets.last.drop();
    await until(() => sockets.sockets.length === 2);
    expect(calls.map((c) => c.url.pathname)).toEqual(['/jobs/j']);
    sockets.last.open();
    expect(sockets.last.sent).toEqual([{ action: 'subscribe', jobId: 'j' }]);
    sockets.last.frame({ type: 'job.snapshot', job: job({ id: 'j', seq: 6, status: 'running' }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'j', seq: 8, status: 'failed' }) });
    expect((await handle.done)?.status).toBe('failed');
    expect(seen).toEqual([3, 6, 8]);
    expect(errors[0]).toMatchObject({ code: 'socket_closed' });
  });

  it('rejects done when the server answers not_found', async () => {
    const { client, sockets } = setup();
    const handle = client.watch('nope', () => undefined, { backoff: fast });
    await until(() => sockets.sockets.length === 1);
    sockets.last.open();
    sockets.last.frame({ type: 'error', code: 'not_found', message: 'No job nope' });
    await expect(handle.done).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('follows all jobs; close() ends it with done resolving undefined', async () => {
    const { client, sockets } = setup([json(200, { jobs: [], nextCursor: null })]);
    const seen: string[] = [];
    const handle = client.watch({ all: true }, (update) => seen.push(`${update.id}@${update.seq}`), {
      backoff: fast,
    });
    await until(() => sockets.sockets.length === 1);
    sockets.last.open();
    expect(sockets.last.sent).toEqual([{ action: 'subscribe', all: true }]);
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'a', seq: 1 }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'b', seq: 1, status: 'completed' }) });
    sockets.last.frame({ type: 'job.updated', job: job({ id: 'a', seq: 1 }) });
    handle.close();
    expect(await handle.done).toBeUndefined();
    expect(seen).toEqual(['a@1', 'b@1']);
  });
});

describe('wait', () => {
  it('polls over HTTP when the socket cannot connect', async () => {
    const { client, sockets, calls } = setup([
      json(200, { job: job({ id: 'w', status: 'running' }) }),
      json(200, { job: job({ id: 'w', status: 'completed', result: { ok: 1 } }) }),
    ]);
    const waiting = client.wait('w', { backoff: fast });
    // Every attempt to connect is refused (as a 401 handshake or an unreachable host would be).
    for (let i = 0; i < 2; i++) {
      await until(() => sockets.sockets.length === i + 1);
      sockets.last.drop();
    }
    const done = await waiting;
    expect(done.result).toEqual({ ok: 1 });
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });

  it('reads the whole job when the final event left a large result out', async () => {
    const full = job({ id: 'big', status: 'completed', result: { data: 'x'.repeat(100) } });
    const { client, sockets, calls } = setup([json(200, { job: full })]);
    const waiting = client.wait('big', { backoff: fast });
    await until(() => sockets.sockets.length === 1);
    sockets.last.open();
    sockets.last.frame({
      type: 'job.snapshot',
      job: { ...full, result: null, resultTruncated: true },
    });
    expect(await waiting).toEqual(full);
    expect(calls.map((c) => c.url.pathname)).toEqual(['/jobs/big']);
  });

  it('polls when there is no WebSocket URL', async () => {
    const { fetch } = scriptedFetch(json(200, { job: job({ id: 'p', status: 'dead' }) }));
    const client = new JobsClient({ apiUrl: 'http://api.test', token: 't', fetch });
    expect((await client.wait('p', { pollIntervalMs: 1 })).status).toBe('dead');
  });

  it('rejects with a timeout error, and with the reason when aborted', async () => {
    const { client } = setup();
    const timedOut = await client.wait('slow', { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(JobsApiError);
    expect(timedOut).toMatchObject({ status: 0, code: 'timeout' });
    const controller = new AbortController();
    const aborted = client.wait('slow', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});
