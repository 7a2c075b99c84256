/** `client.schedules`: the routes it calls, the envelopes it unwraps, and which calls it retries. */
import { JobsClient } from '@tiered-job-queue/client';
import { describe, expect, it } from 'vitest';
import { job, json, scriptedFetch } from './fakes.ts';

const client = (fetch: typeof globalThis.fetch) =>
  new JobsClient({ apiUrl: 'http://api.test', token: 't', fetch, retryBackoff: { baseMs: 1, maxMs: 2 } });
const schedule = { id: 's/1', paused: true, nextRunAt: null };

describe('client.schedules', () => {
  it('calls each route and resolves with the schedule or job itself', async () => {
    const { fetch, calls } = scriptedFetch(
      json(201, { schedule }),
      json(200, { schedule }),
      json(200, { schedules: [schedule], nextCursor: 'c2' }),
      json(200, { schedules: [{ ...schedule, id: 's2' }], nextCursor: null }),
      json(202, { job: job({ id: 'j1' }) }),
      new Response(null, { status: 204 }),
    );
    const schedules = client(fetch).schedules;
    expect(await schedules.create({ rate: '1 hours', job: { type: 'demo', command: 'echo' } })).toEqual(
      schedule,
    );
    expect(await schedules.pause('s/1')).toEqual(schedule);
    const listed: string[] = [];
    for await (const s of schedules.list({ limit: 1 })) listed.push(s.id);
    expect(listed).toEqual(['s/1', 's2']);
    expect((await schedules.trigger('s/1')).id).toBe('j1');
    await schedules.delete('s/1');
    expect(calls.map((call) => `${call.method} ${call.url.pathname}${call.url.search}`)).toEqual([
      'POST /schedules',
      'PATCH /schedules/s%2F1',
      'GET /schedules?limit=1',
      'GET /schedules?limit=1&cursor=c2',
      'POST /schedules/s%2F1/trigger',
      'DELETE /schedules/s%2F1',
    ]);
    expect(calls[1]?.body).toEqual({ paused: true });
  });

  it('retries a change after a 5xx, but never a create or a trigger (each would start something new)', async () => {
    const busy = json(503, { message: 'Service Unavailable' });
    const retried = scriptedFetch(busy, json(200, { schedule }));
    expect(await client(retried.fetch).schedules.resume('s')).toEqual(schedule);
    expect(retried.calls).toHaveLength(2);
    for (const call of [
      (c: JobsClient) => c.schedules.create({ rate: '1 hours', job: { type: 'demo', command: 'echo' } }),
      (c: JobsClient) => c.schedules.trigger('s'),
    ]) {
      const once = scriptedFetch(busy, json(200, { schedule }));
      await expect(call(client(once.fetch))).rejects.toMatchObject({ status: 503 });
      expect(once.calls).toHaveLength(1);
    }
  });
});
