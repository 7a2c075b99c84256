/**
 * The catch-up after downtime, on the local stack and the real clock: this stack's own maintenance timer
 * never fires during the test (once an hour), so a one-minute schedule misses two due times; then three
 * sweeps at once (POST /admin/recover, the same run) start exactly one job for them, and the schedule goes
 * on from the next time on its grid. Its own file: a local stack configures its handlers through the
 * process environment, one stack per test process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import type { ScheduleView } from '../../functions/core/schedule.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let user: ReturnType<typeof apiClient>;
let admin: ReturnType<typeof apiClient>;

beforeAll(async () => {
  stack = await startTestStack('sched-down', { maintenanceIntervalMs: 3_600_000 });
  user = apiClient(stack.httpUrl, await tokenFor(`catch-up-${Date.now()}`));
  admin = apiClient(stack.httpUrl, await tokenFor('ops', true));
});

afterAll(async () => {
  await stack?.stop();
});

it('after downtime, runs once for all the missed due times, then keeps the timetable', async () => {
  const echo = { type: 'demo', command: 'echo', params: { value: 'late' } };
  const { schedule } = (
    await user.post<{ schedule: ScheduleView }>('/schedules', {
      rate: '1 minutes',
      job: echo,
      overlap: 'allow',
    })
  ).body;
  const firstDue = new Date(schedule.nextRunAt ?? 0).getTime();
  // Two due times pass with no sweep.
  await eventually(async () => Date.now() > firstDue + 62_000, 150_000, 1000);
  const reports = await Promise.all([1, 2, 3].map(() => admin.post<{ scheduled: number }>('/admin/recover')));
  expect(reports.reduce((sum, report) => sum + report.body.scheduled, 0)).toBe(1);

  const { jobs } = (await user.get<{ jobs: JobView[] }>('/jobs?limit=100')).body;
  const started = jobs.filter((job) => job.scheduleId === schedule.id);
  expect(started).toHaveLength(1);
  expect(started[0]?.idempotencyKey).toBe(`schedule:${schedule.id}:${schedule.nextRunAt}`);
  const after = (await user.get<{ schedule: ScheduleView }>(`/schedules/${schedule.id}`)).body.schedule;
  const next = new Date(after.nextRunAt ?? 0).getTime();
  expect(next).toBeGreaterThanOrEqual(firstDue + 120_000);
  expect(next - Date.now()).toBeLessThanOrEqual(60_000);
  // Still on the grid of its period.
  expect((next - firstDue) % 60_000).toBe(0);
  expect(after.lastJobId).toBe(started[0]?.id);
}, 240_000);
