/**
 * Per-user quotas end to end on the local stack (set low here; the defaults are in infra/limits.ts): the
 * unfinished-jobs cap answers 429 quota_exceeded and frees up as jobs finish, and reserved priorities are
 * for admins only. Every exchange is checked against the served OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let alice: ReturnType<typeof apiClient>;
let bob: ReturnType<typeof apiClient>;
let admin: ReturnType<typeof apiClient>;

type JobBody = { job: JobView };
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

beforeAll(async () => {
  stack = await startTestStack('quotas', { quotas: { maxUnfinishedJobs: 2, maxUserPriority: 8 } });
  alice = apiClient(stack.httpUrl, await tokenFor('alice'));
  bob = apiClient(stack.httpUrl, await tokenFor('bob'));
  admin = apiClient(stack.httpUrl, await tokenFor('root', true));
});

afterAll(async () => {
  await stack?.stop();
});

const sleeper = { type: 'demo', command: 'sleep', params: { seconds: 600 } };

describe('per-user quotas', () => {
  it('refuses a job past the unfinished cap with 429 quota_exceeded, and accepts again once one ends', async () => {
    const first = await alice.post<JobBody>('/jobs', sleeper);
    const second = await alice.post<JobBody>('/jobs', sleeper);
    expect([first.status, second.status]).toEqual([202, 202]);
    // The quota reads the counters the jobs stream moves: once they show the two jobs, a third is refused.
    await eventually(
      async () => (await alice.get<{ count: number }>('/jobs/count')).body.count === 2,
      30_000,
    );

    const refused = await alice.post<ErrorBody>('/jobs', sleeper);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect(refused.body.error.message).toContain('limit is 2');
    const agentRoute = await alice.post<ErrorBody>('/agents/demo/echo', { params: { value: 1 } });
    expect([agentRoute.status, agentRoute.body.error.code]).toEqual([429, 'quota_exceeded']);

    // Another user's quota is their own.
    expect((await bob.post<JobBody>('/jobs', { ...sleeper, priority: 3 })).status).toBe(202);

    expect((await alice.post(`/jobs/${first.body.job.id}/cancel`)).status).toBe(200);
    // Accepted again once the counters have seen the cancellation (a refused attempt creates nothing).
    const again = await eventually(async () => {
      const answer = await alice.post<JobBody>('/jobs', { type: 'demo', command: 'echo', params: {} });
      if (answer.status !== 202)
        expect([answer.status, (answer.body as unknown as ErrorBody).error.code]).toEqual([
          429,
          'quota_exceeded',
        ]);
      return answer.status === 202 && answer;
    }, 30_000);
    expect(again.body.job.status).toBe('queued');
  });

  it('reserves priorities above the configured cap for admins with 403 priority_reserved', async () => {
    const refused = await bob.post<ErrorBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: {},
      priority: 9,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('priority_reserved');
    expect(refused.body.error.message).toContain('above 8');
    const allowed = await admin.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: {},
      priority: 10,
    });
    expect(allowed.status).toBe(202);
    expect(allowed.body.job.priority).toBe(10);
  });
});
