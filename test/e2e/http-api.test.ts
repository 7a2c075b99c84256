/**
 * The local stack end to end over HTTP: jobs submitted with the real API run on the real worker through
 * the emulators and complete; users only see their own jobs; errors have the contract's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let alice: ReturnType<typeof apiClient>;
let bob: ReturnType<typeof apiClient>;
let anonymous: ReturnType<typeof apiClient>;

type JobBody = { job: JobView };

beforeAll(async () => {
  stack = await startTestStack('http');
  alice = apiClient(stack.httpUrl, await tokenFor('alice'));
  bob = apiClient(stack.httpUrl, await tokenFor('bob'));
  anonymous = apiClient(stack.httpUrl);
});

afterAll(async () => {
  await stack?.stop();
});

const finished = (client: ReturnType<typeof apiClient>, id: string) =>
  eventually(async () => {
    const { body } = await client.get<JobBody>(`/jobs/${id}`);
    return ['completed', 'failed', 'dead', 'cancelled'].includes(body.job.status) && body.job;
  });

describe('jobs over HTTP on the local stack', () => {
  it('runs demo/echo to completion', async () => {
    const submitted = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: { hi: [1, 2] } },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('location')).toBe(`/jobs/${submitted.body.job.id}`);
    expect(submitted.body.job).toMatchObject({ status: 'queued', priority: 5, tier: 'normal', attempt: 0 });
    const job = await finished(alice, submitted.body.job.id);
    expect(job).toMatchObject({ status: 'completed', result: { value: { hi: [1, 2] } }, attempt: 1 });
    expect(job.progress.percent).toBe(100);
    expect(job.queueTimeMs).toBeGreaterThanOrEqual(0);
    expect(job.executionTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('runs demo/sleep with progress visible while it runs', async () => {
    const submitted = await alice.post<JobBody>('/agents/demo/sleep', {
      params: { seconds: 3, steps: 3 },
      priority: 9,
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.job.tier).toBe('critical');
    const id = submitted.body.job.id;
    const midway = await eventually(async () => {
      const { body } = await alice.get<JobBody>(`/jobs/${id}`);
      return (
        body.job.status === 'running' &&
        body.job.progress.percent > 0 &&
        body.job.progress.percent < 100 &&
        body.job
      );
    });
    expect(midway.progress.stage).toBe('sleeping');
    const job = await finished(alice, id);
    expect(job).toMatchObject({ status: 'completed', result: { slept: 3 } });
    expect(job.executionTimeMs).toBeGreaterThanOrEqual(2500);
  });

  it("keeps one user's jobs invisible to another", async () => {
    const { body } = await alice.post<JobBody>('/jobs', { type: 'demo', command: 'echo' });
    const foreign = await bob.get(`/jobs/${body.job.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const bobsList = await bob.get<{ jobs: JobView[] }>('/jobs');
    expect(bobsList.body.jobs.map((job) => job.id)).not.toContain(body.job.id);
  });

  it('lists and counts jobs with filters and a cursor', async () => {
    const carol = apiClient(stack.httpUrl, await tokenFor(`carol-${Date.now()}`));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await carol.post<JobBody>('/jobs', { type: 'demo', command: 'echo', params: { value: i } })).body.job
          .id,
      );
    await Promise.all(ids.map((id) => finished(carol, id)));
    const first = await carol.get<{ jobs: JobView[]; nextCursor: string | null }>('/jobs?limit=2');
    expect(first.body.jobs.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await carol.get<{ jobs: JobView[]; nextCursor: string | null }>(
      `/jobs?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    expect(second.body.jobs.map((job) => job.id)).toEqual([ids[0]]);
    // Counted from the jobs stream: the counters catch up with the finished jobs within seconds.
    await expect
      .poll(async () => (await carol.get('/jobs/count?status=completed')).body, {
        timeout: 30_000,
        interval: 250,
      })
      .toEqual({ count: 3, approximate: false });
    expect((await carol.get('/jobs/count?status=queued&type=demo')).body).toEqual({
      count: 0,
      approximate: false,
    });
    expect((await carol.get('/jobs?status=bogus')).status).toBe(400);
  });

  it('answers client mistakes with the contract error shape, never a 500', async () => {
    expect((await anonymous.get('/jobs')).status).toBe(401);
    const badToken = apiClient(stack.httpUrl, await signToken('some-other-secret-some-other!', { sub: 'x' }));
    expect((await badToken.get('/jobs')).body).toMatchObject({ error: { code: 'unauthorized' } });
    const invalid = await alice.post('/jobs', {
      type: 'demo',
      command: 'sleep',
      priority: 0,
      params: { seconds: 'long' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      error: { code: 'validation_error', details: [{ path: 'priority' }] },
    });
    const badParams = await alice.post('/jobs', {
      type: 'demo',
      command: 'sleep',
      params: { seconds: 'long' },
    });
    expect(badParams.body).toMatchObject({
      error: { code: 'validation_error', details: [{ path: 'params.seconds' }] },
    });
    expect((await alice.postRaw('/jobs', '{not json')).body).toMatchObject({
      error: { code: 'validation_error' },
    });
    expect((await alice.post('/agents/nope/run', {})).body).toMatchObject({
      error: { code: 'unknown_agent' },
    });
    const huge = await alice.post('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 'x'.repeat(5 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: { code: 'payload_too_large' } });
    expect((await alice.get('/no/such/route')).body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves health, the OpenAPI document and the agent catalogue', async () => {
    expect((await anonymous.get('/health')).body).toEqual({ ok: true });
    const openapi = await anonymous.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/jobs', '/jobs/{id}', '/agents/{type}/{command}']),
    );
    const agents = await alice.get<{
      agents: Array<{ type: string; commands: Array<{ name: string; paramsSchema: unknown }> }>;
    }>('/agents');
    const demo = agents.body.agents.find((agent) => agent.type === 'demo');
    expect(demo?.commands.map((c) => c.name).sort()).toEqual(['blob', 'echo', 'fail', 'sleep', 'steps']);
    expect(demo?.commands.find((c) => c.name === 'sleep')?.paramsSchema).toMatchObject({
      type: 'object',
      properties: { seconds: { type: 'number', maximum: 840 } },
    });
  });

  it('retries demo/fail transient errors and then completes', async () => {
    const submitted = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'fail',
      params: { times: 1 },
      retryDelaySeconds: 1,
    });
    const job = await finished(alice, submitted.body.job.id);
    expect(job).toMatchObject({ status: 'completed', attempt: 2, result: { attempts: 2 } });
    const permanent = await alice.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'fail',
      params: { times: 0, permanent: true },
    });
    expect(await finished(alice, permanent.body.job.id)).toMatchObject({
      status: 'failed',
      error: { retryable: false },
    });
  });
});
