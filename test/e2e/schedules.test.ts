/**
 * Schedules on the local stack on the real clock (no test clock): the routes, a schedule starting jobs on
 * its timetable (never twice for one due time, even with sweeps overlapping), overlap skip, pause/resume
 * and trigger. The stack sweeps every 2 s (as `npm start` with MAINTENANCE_INTERVAL_SECONDS=2) while the
 * test adds concurrent sweeps (POST /admin/recover). Takes about 2.5 minutes: a rate's shortest period is
 * one minute. The catch-up after downtime: schedules-catch-up.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import type { JobView } from '../../functions/core/job.ts';
import type { ScheduleView } from '../../functions/core/schedule.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

type Client = ReturnType<typeof apiClient>;
type ScheduleBody = { schedule: ScheduleView };
type JobBody = { job: JobView };

let live: LocalStack;
let user: Client;
let admin: Client;
const userId = `sched-${Date.now()}`;
const echo = { type: 'demo', command: 'echo', params: { value: 'tick' } };

beforeAll(async () => {
  live = await startTestStack('sched-live', { maintenanceIntervalMs: 2000 });
  user = apiClient(live.httpUrl, await tokenFor(userId));
  admin = apiClient(live.httpUrl, await tokenFor('ops', true));
});

afterAll(async () => {
  await live?.stop();
});

async function jobsOf(client: Client, scheduleId: string): Promise<JobView[]> {
  const { body } = await client.get<{ jobs: JobView[] }>('/jobs?limit=100');
  return body.jobs.filter((job) => job.scheduleId === scheduleId);
}
const dueTimeOf = (job: JobView) => job.idempotencyKey?.split(':').slice(2).join(':') ?? '';

describe('schedule routes', () => {
  it('refuses a bad cron, rate or time zone with 400 validation_error naming the field', async () => {
    for (const [body, field] of [
      [{ cron: '*/5 * * *', job: echo }, 'cron'],
      [{ cron: '0 0 31 2 * *', job: echo }, 'cron'],
      [{ rate: '0 minutes', job: echo }, 'rate'],
      [{ rate: '5 fortnights', job: echo }, 'rate'],
      [{ cron: '* * * * *', timezone: 'Mars/Olympus', job: echo }, 'timezone'],
      [{ cron: '* * * * *', rate: '1 minutes', job: echo }, 'cron'],
    ] as const) {
      const response = await user.post('/schedules', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body, JSON.stringify(body)).toMatchObject({
        error: { code: 'validation_error', details: [expect.objectContaining({ path: field })] },
      });
    }
    expect(
      (await user.post('/schedules', { rate: '1 hours', job: { type: 'demo', command: 'nope' } })).body,
    ).toMatchObject({
      error: { code: 'unknown_agent' },
    });
  });

  it('creates, reads, lists by cursor, changes and deletes; another user sees none of it', async () => {
    const created = await user.post<ScheduleBody>('/schedules', {
      name: 'mornings',
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      job: echo,
    });
    expect(created.status).toBe(201);
    const schedule = created.body.schedule;
    expect(schedule).toMatchObject({ name: 'mornings', overlap: 'skip', paused: false, lastJobId: null });
    expect(new Date(schedule.nextRunAt ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect((await user.get<ScheduleBody>(`/schedules/${schedule.id}`)).body.schedule).toEqual(schedule);

    const other = await user.post<ScheduleBody>('/schedules', { rate: '12 hours', job: echo, paused: true });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await user.get<{ schedules: ScheduleView[]; nextCursor: string | null }>(
        `/schedules?limit=1${query}`,
      );
      seen.push(...page.body.schedules.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining([schedule.id, other.body.schedule.id]));

    const changed = await user.patch<ScheduleBody>(`/schedules/${schedule.id}`, { rate: '30 minutes' });
    expect(changed.status).toBe(200);
    expect(changed.body.schedule).toMatchObject({ cron: null, rate: '30 minutes' });
    const nextIn = new Date(changed.body.schedule.nextRunAt ?? 0).getTime() - Date.now();
    expect(nextIn).toBeGreaterThan(25 * 60_000);
    expect(nextIn).toBeLessThanOrEqual(30 * 60_000);
    expect((await user.patch(`/schedules/${schedule.id}`, { timezone: 'Not/AZone' })).status).toBe(400);

    const stranger = apiClient(live.httpUrl, await tokenFor(`${userId}-other`));
    expect((await stranger.get(`/schedules/${schedule.id}`)).status).toBe(404);
    expect((await stranger.patch(`/schedules/${schedule.id}`, { paused: true })).status).toBe(404);
    expect((await stranger.post(`/schedules/${schedule.id}/trigger`)).status).toBe(404);
    expect((await stranger.delete(`/schedules/${schedule.id}`)).status).toBe(404);

    for (const id of [schedule.id, other.body.schedule.id])
      expect((await user.delete(`/schedules/${id}`)).status).toBe(204);
    expect((await user.get(`/schedules/${schedule.id}`)).status).toBe(404);
  });

  it('pauses (no next run), resumes (next run a period from now) and triggers a run now', async () => {
    const { schedule } = (await user.post<ScheduleBody>('/schedules', { rate: '1 hours', job: echo })).body;
    const paused = await user.patch<ScheduleBody>(`/schedules/${schedule.id}`, { paused: true });
    expect(paused.body.schedule).toMatchObject({ paused: true, nextRunAt: null });
    const resumed = (await user.patch<ScheduleBody>(`/schedules/${schedule.id}`, { paused: false })).body
      .schedule;
    expect(new Date(resumed.nextRunAt ?? 0).getTime() - Date.now()).toBeGreaterThan(55 * 60_000);

    const triggered = await user.post<JobBody>(`/schedules/${schedule.id}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body.job).toMatchObject({ scheduleId: schedule.id, type: 'demo', command: 'echo' });
    const done = await eventually(async () => {
      const { job } = (await user.get<JobBody>(`/jobs/${triggered.body.job.id}`)).body;
      return job.status === 'completed' && job;
    });
    expect(done).toMatchObject({ scheduleId: schedule.id, result: { value: 'tick' } });
    expect((await user.get<ScheduleBody>(`/schedules/${schedule.id}`)).body.schedule).toMatchObject({
      lastJobId: done.id,
      nextRunAt: resumed.nextRunAt,
    });
    await user.delete(`/schedules/${schedule.id}`);
  });
});

/** `jobs <args>` in process against this stack, as the user. */
async function cli(args: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  let out = '';
  let err = '';
  const stream = (write: (text: string) => void) =>
    ({
      isTTY: false,
      write: (chunk: string) => {
        write(chunk);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const code = await run(args, {
    stdout: stream((text) => (out += text)),
    stderr: stream((text) => (err += text)),
    env: { JOBS_API_URL: live.httpUrl, JOBS_TOKEN: await tokenFor(userId) },
  });
  return { code, lines: out.split('\n').filter(Boolean), stderr: err };
}

describe('jobs schedules (CLI)', () => {
  it('adds, lists, pauses, resumes, triggers and removes', async () => {
    const added = await cli([
      'schedules',
      'add',
      'demo/echo',
      '--rate',
      '2 hours',
      '--params',
      '{"value":3}',
      '--name',
      'cli',
    ]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = added.lines[0] as string;
    expect(added.lines).toHaveLength(1);
    const listed = await cli(['schedules', 'ls']);
    expect(listed.lines.find((line) => line.startsWith(id))).toMatch(/cli\s+every 2 hours\s+demo\/echo\s+no/);
    const paused = await cli(['schedules', 'pause', id, '--json']);
    expect(JSON.parse(paused.lines[0] ?? '{}')).toMatchObject({
      schedule: { id, paused: true, nextRunAt: null },
    });
    expect((await cli(['schedules', 'resume', id])).lines.join('\n')).toMatch(/paused\s+false/);
    const triggered = await cli(['schedules', 'trigger', id]);
    expect(triggered.code).toBe(0);
    const job = (await user.get<JobBody>(`/jobs/${triggered.lines[0]}`)).body.job;
    expect(job.scheduleId).toBe(id);
    expect(await cli(['schedules', 'add', 'demo/echo', '--cron', '* * *'])).toMatchObject({ code: 3 });
    expect(await cli(['schedules', 'add', 'demo/echo'])).toMatchObject({ code: 2 });
    expect((await cli(['schedules', 'rm', id])).code).toBe(0);
    expect(await cli(['schedules', 'get', id])).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/^not_found: /),
    });
  });
});

describe('on the real clock', () => {
  it('starts jobs on the timetable, once per due time with sweeps overlapping; skips while the previous is unfinished', async () => {
    const create = async (body: Record<string, unknown>) =>
      (await user.post<ScheduleBody>('/schedules', body)).body.schedule;
    const every = await create({ rate: '1 minutes', job: echo, overlap: 'allow' });
    const slow = await create({
      rate: '1 minutes',
      job: { type: 'demo', command: 'sleep', params: { seconds: 180, steps: 4 } },
    });
    const paused = await create({ rate: '1 minutes', job: echo, paused: true });
    const start = Date.now();
    // Extra sweeps, three at once, on top of the stack's own every 2 s.
    let sweeping = true;
    const sweeps = (async () => {
      while (sweeping) {
        await Promise.all([1, 2, 3].map(() => admin.post('/admin/recover')));
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    })();
    try {
      const started = await eventually(
        async () => {
          const jobs = await jobsOf(user, every.id);
          return jobs.length >= 2 && jobs;
        },
        200_000,
        2000,
      );
      // Let a few more sweeps pass over the same due times.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const jobs = await jobsOf(user, every.id);
      const dueTimes = jobs.map(dueTimeOf).sort();
      expect(new Set(dueTimes).size).toBe(jobs.length);
      expect(jobs.length).toBeLessThanOrEqual(Math.floor((Date.now() - start) / 60_000));
      expect(dueTimes.slice(0, 2)).toEqual([
        every.nextRunAt,
        new Date(new Date(every.nextRunAt ?? 0).getTime() + 60_000).toISOString(),
      ]);
      for (const job of started) {
        const late = new Date(job.createdAt).getTime() - new Date(dueTimeOf(job)).getTime();
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(60_000);
      }
      // The slow schedule's first job is still sleeping at the second due time: nothing else started.
      const slowJobs = await jobsOf(user, slow.id);
      expect(slowJobs).toHaveLength(1);
      expect(slowJobs[0]?.status).toBe('running');
      const slowNow = (await user.get<ScheduleBody>(`/schedules/${slow.id}`)).body.schedule;
      expect(new Date(slowNow.nextRunAt ?? 0).getTime()).toBeGreaterThan(
        new Date(dueTimes[1] ?? 0).getTime(),
      );
      expect(slowNow.lastJobId).toBe(slowJobs[0]?.id);
      expect(await jobsOf(user, paused.id)).toHaveLength(0);
      await user.post(`/jobs/${slowJobs[0]?.id}/cancel`);
    } finally {
      sweeping = false;
      await sweeps;
      for (const schedule of [every, slow, paused]) await user.delete(`/schedules/${schedule.id}`);
    }
  }, 300_000);
});
