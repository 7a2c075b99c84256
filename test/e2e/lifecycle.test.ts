/**
 * The job lifecycle over HTTP on the local stack: idempotency, cancellation (waiting and running),
 * retry, dependencies, scheduling, statistics and the admin routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let user: ReturnType<typeof apiClient>;
let admin: ReturnType<typeof apiClient>;
type JobBody = { job: JobView };

beforeAll(async () => {
  stack = await startTestStack('life');
  user = apiClient(stack.httpUrl, await tokenFor(`life-${Date.now()}`));
  admin = apiClient(stack.httpUrl, await tokenFor('ops', true));
});

afterAll(async () => {
  await stack?.stop();
});

const statusOf = async (id: string) => (await user.get<JobBody>(`/jobs/${id}`)).body.job;
const reaches = (id: string, status: string) =>
  eventually(async () => {
    const job = await statusOf(id);
    return job.status === status && job;
  });

describe('idempotency', () => {
  it('returns the original job for a repeated key and 409 for a different body', async () => {
    const body = {
      type: 'demo',
      command: 'echo',
      params: { value: 'once' },
      idempotencyKey: `key-${Date.now()}`,
    };
    const first = await user.post<JobBody>('/jobs', body);
    const again = await user.post<JobBody>('/jobs', body);
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body.job.id).toBe(first.body.job.id);
    const conflict = await user.post('/jobs', { ...body, params: { value: 'twice' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'idempotency_conflict' } });
  });
});

describe('cancellation and retry', () => {
  it('cancels a waiting job at once; retry runs it', async () => {
    const { body } = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 1 },
      delaySeconds: 120,
    });
    const cancelled = await user.post<JobBody>(`/jobs/${body.job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.job.status).toBe('cancelled');
    const retried = await user.post<JobBody>(`/jobs/${body.job.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.job).toMatchObject({ status: 'queued', attempt: 0 });
    expect(await reaches(body.job.id, 'completed')).toMatchObject({ result: { value: 1 }, attempt: 1 });
  });

  it('stops a running job within seconds (DELETE /jobs/{id})', async () => {
    const { body } = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'sleep',
      params: { seconds: 60, steps: 60 },
    });
    await reaches(body.job.id, 'running');
    const asked = await user.delete<JobBody>(`/jobs/${body.job.id}`);
    expect(asked.status).toBe(200);
    expect(['cancelling', 'cancelled']).toContain(asked.body.job.status);
    const started = Date.now();
    const final = await reaches(body.job.id, 'cancelled');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(final.result).toBeNull();
  });

  it('refuses to cancel or retry a job in the wrong state', async () => {
    const { body } = await user.post<JobBody>('/jobs', { type: 'demo', command: 'echo' });
    await reaches(body.job.id, 'completed');
    expect((await user.post(`/jobs/${body.job.id}/cancel`)).body).toMatchObject({
      error: { code: 'not_cancellable' },
    });
    expect((await user.post(`/jobs/${body.job.id}/retry`)).body).toMatchObject({
      error: { code: 'not_retryable' },
    });
    expect((await user.post('/jobs/no-such-job/cancel')).status).toBe(404);
  });

  it('keeps a job scheduled far ahead as scheduled until it is due', async () => {
    const runAt = new Date(Date.now() + 3600_000).toISOString();
    const { body } = await user.post<JobBody>('/jobs', { type: 'demo', command: 'echo', runAt });
    expect(body.job).toMatchObject({ status: 'scheduled', runAt });
    expect((await admin.post('/admin/recover')).status).toBe(200);
    expect((await statusOf(body.job.id)).status).toBe('scheduled');
  });
});

describe('dependencies', () => {
  it('runs a child after its parent completes', async () => {
    const parent = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'sleep',
      params: { seconds: 1, steps: 1 },
    });
    const child = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      dependsOn: [parent.body.job.id],
    });
    expect(child.body.job.status).toBe('pending');
    const done = await reaches(child.body.job.id, 'completed');
    const parentDone = await statusOf(parent.body.job.id);
    expect(new Date(done.startedAt ?? 0).getTime()).toBeGreaterThanOrEqual(
      new Date(parentDone.completedAt ?? 0).getTime(),
    );
  });

  it('fails dependants transitively when a dependency fails', async () => {
    const parent = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'fail',
      params: { times: 0, permanent: true },
      delaySeconds: 1,
    });
    const child = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      dependsOn: [parent.body.job.id],
    });
    const grandchild = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      dependsOn: [child.body.job.id],
    });
    expect(await reaches(grandchild.body.job.id, 'failed')).toMatchObject({
      error: { code: 'dependency_failed' },
    });
    expect((await statusOf(child.body.job.id)).error?.code).toBe('dependency_failed');
  });

  it('refuses unknown dependencies', async () => {
    const response = await user.post('/jobs', {
      type: 'demo',
      command: 'echo',
      dependsOn: ['does-not-exist'],
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'unknown_dependency' } });
  });
});

describe('statistics and admin routes', () => {
  it('reports per-user statistics that agree with the job list', async () => {
    const stats = await user.get<{
      byStatus: Record<string, number>;
      total: number;
      tiers: Record<string, { maxConcurrency: number; queued: number }>;
      priorityDistribution: Record<string, number>;
      avgExecutionTimeMs: number | null;
      pastDeadline: number;
    }>('/queue/stats');
    expect(stats.status).toBe(200);
    const count = (await user.get<{ count: number }>('/jobs/count')).body.count;
    // Both read the same counters (moved from the jobs stream); the earlier tests' jobs have ended.
    expect(stats.body.total).toBe(count);
    expect(Object.values(stats.body.byStatus).reduce((a, b) => a + b, 0)).toBe(count);
    expect(Object.values(stats.body.priorityDistribution).reduce((a, b) => a + b, 0)).toBe(count);
    expect(Object.keys(stats.body.tiers).sort()).toEqual(['critical', 'high', 'low', 'normal']);
    expect(stats.body.tiers.critical?.maxConcurrency).toBeGreaterThan(
      stats.body.tiers.low?.maxConcurrency ?? 0,
    );
    expect(stats.body.avgExecutionTimeMs).toEqual(expect.any(Number));
    const all = await admin.get<{ total: number }>('/queue/stats');
    expect(all.body.total).toBeGreaterThanOrEqual(stats.body.total);
  });

  it('serves the metrics history: own jobs per minute, zero-filled, filtered, bounded', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const owner = apiClient(stack.httpUrl, await tokenFor(`metrics-${Date.now()}`));
    const { body } = await owner.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 1 },
      priority: 8,
    });
    await eventually(
      async () => (await owner.get<JobBody>(`/jobs/${body.job.id}`)).body.job.status === 'completed',
    );
    type Metrics = { step: number; points: Array<Record<string, number | string | null>> };
    const sum = (points: Metrics['points'], field: string) =>
      points.reduce((total, point) => total + Number(point[field] ?? 0), 0);
    const read = async (query: string) =>
      (await owner.get<Metrics>(`/queue/metrics?from=${from}${query}`)).body;
    // Counted from the jobs stream: the points catch up within seconds.
    await expect
      .poll(async () => sum((await read('&step=60')).points, 'completed'), { timeout: 30_000, interval: 500 })
      .toBe(1);
    const minutes = await read('&step=60');
    expect(minutes.step).toBe(60);
    expect(sum(minutes.points, 'submitted')).toBe(1);
    expect(sum(minutes.points, 'started')).toBe(1);
    expect(minutes.points.some((point) => point.avgExecutionTimeMs !== null)).toBe(true);
    expect(minutes.points.map((point) => point.t)).toEqual(
      [...minutes.points.map((point) => point.t)].sort(),
    );
    expect(sum((await read('&step=60&tier=high&type=demo')).points, 'completed')).toBe(1);
    expect(sum((await read('&step=60&tier=low')).points, 'completed')).toBe(0);
    const hours = await read('&step=3600');
    expect(sum(hours.points, 'completed')).toBe(1);
    // The admin sees everyone's jobs; more than 1,440 points is a validation error.
    const everyone = (await admin.get<Metrics>(`/queue/metrics?from=${from}&step=300`)).body;
    expect(sum(everyone.points, 'completed')).toBeGreaterThanOrEqual(1);
    const tooMany = await owner.get(
      '/queue/metrics?from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&step=60',
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: 'validation_error' } });
    expect((await owner.get('/queue/metrics?step=7')).status).toBe(400);
  });

  it('lists and redrives dead jobs for admins only', async () => {
    const { body } = await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'fail',
      params: { times: 5 },
      maxRetries: 0,
    });
    const dead = await reaches(body.job.id, 'dead');
    expect((await user.get('/admin/dead')).status).toBe(403);
    const listed = await admin.get<{ jobs: JobView[]; nextCursor: string | null }>('/admin/dead?limit=100');
    expect(listed.body.jobs.map((job) => job.id)).toContain(body.job.id);
    const redriven = await admin.post<{ requeued: number }>('/admin/dead/redrive', { jobIds: [body.job.id] });
    expect(redriven.body).toEqual({ requeued: 1 });
    const again = await eventually(async () => {
      const job = await statusOf(body.job.id);
      return job.status === 'dead' && job.seq > dead.seq && job;
    });
    // `attempt` counts runs started: the redriven run is the second (its budget was renewed).
    expect(again.attempt).toBe(2);
    expect((await admin.post('/admin/dead/redrive', { nothing: true })).status).toBe(400);
  });

  it('runs recovery and cleanup on demand', async () => {
    const recovered = await admin.post<{ recovered: number }>('/admin/recover');
    expect(recovered.body.recovered).toEqual(expect.any(Number));
    expect((await admin.post('/admin/cleanup?days=0')).body).toMatchObject({
      error: { code: 'validation_error' },
    });
    expect((await admin.post('/admin/cleanup?days=30')).body).toEqual({
      deleted: 0,
      complete: true,
      nextCursor: null,
    });
    expect((await user.post('/admin/cleanup')).status).toBe(403);
  });
});
