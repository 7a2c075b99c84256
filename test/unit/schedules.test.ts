import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../functions/agents/index.ts';
import { TestClock } from '../../functions/core/clock.ts';
import {
  NotFoundError,
  ParamsTooLargeError,
  UnknownAgentError,
  ValidationError,
} from '../../functions/core/errors.ts';
import type { Job } from '../../functions/core/job.ts';
import type { Schedule } from '../../functions/core/schedule.ts';
import { recover } from '../../functions/usecases/maintenance.ts';
import {
  createSchedule,
  deleteSchedule,
  getOwnSchedule,
  type ScheduleDeps,
  updateSchedule,
} from '../../functions/usecases/schedules/manage-schedules.ts';
import {
  runDueSchedules,
  type ScheduleRunDeps,
  triggerSchedule,
} from '../../functions/usecases/schedules/run-schedules.ts';
import { MemoryScheduleStore } from '../support/memory-schedule-store.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

const owner = { userId: 'alice', isAdmin: false };
const echo = { type: 'demo', command: 'echo', params: { value: 1 } };

function setup(start = '2026-07-01T10:00:00.000Z') {
  const clock = new TestClock(start);
  const jobs = new MemoryJobStore();
  const schedules = new MemoryScheduleStore();
  const sent: Job[] = [];
  let ids = 0;
  const agents = createRegistry();
  const manage: ScheduleDeps = { schedules, agents, clock, newId: () => `sched-${++ids}` };
  const run: ScheduleRunDeps = {
    schedules,
    clock,
    logger: silentLogger,
    submit: {
      store: jobs,
      agents,
      clock,
      logger: silentLogger,
      dispatcher: { dispatch: async (job) => void sent.push(job) },
    },
  };
  const jobsOf = (schedule: Schedule) =>
    [...jobs.jobs.values()].filter((job) => job.scheduleId === schedule.id);
  const reread = async (schedule: Schedule) => getOwnSchedule(schedules, schedule.userId, schedule.id);
  return { clock, jobs, schedules, sent, manage, run, jobsOf, reread };
}

const minutes = (n: number) => n * 60_000;

describe('creating and changing schedules', () => {
  it('computes the first due time from the timetable, none while paused', async () => {
    const { manage } = setup();
    const rate = await createSchedule(manage, owner, { rate: '5 minutes', job: echo });
    expect(rate).toMatchObject({ nextRunAt: '2026-07-01T10:05:00.000Z', timezone: 'UTC', overlap: 'skip' });
    const cron = await createSchedule(manage, owner, {
      cron: '0 9 * * *',
      timezone: 'Asia/Tokyo',
      job: echo,
    });
    expect(cron.nextRunAt).toBe('2026-07-02T00:00:00.000Z');
    const paused = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, paused: true });
    expect(paused.nextRunAt).toBeNull();
  });

  it('refuses a bad timetable, an unknown agent and params that do not fit it', async () => {
    const { manage } = setup();
    await expect(createSchedule(manage, owner, { cron: '* * *', job: echo })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(createSchedule(manage, owner, { rate: '0 hours', job: echo })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      createSchedule(manage, owner, { rate: '1 hours', timezone: 'Nowhere/Land', job: echo }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      createSchedule(manage, owner, { rate: '1 hours', job: { type: 'demo', command: 'nope' } }),
    ).rejects.toBeInstanceOf(UnknownAgentError);
    await expect(
      createSchedule(manage, owner, {
        rate: '1 hours',
        job: { type: 'demo', command: 'sleep', params: { seconds: -1 } },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    await expect(
      createSchedule(manage, owner, { rate: '1 hours', job: { ...echo, params: { value: deep } } }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      createSchedule(manage, owner, {
        rate: '1 hours',
        job: { ...echo, params: { value: 'x'.repeat(300_000) } },
      }),
    ).rejects.toBeInstanceOf(ParamsTooLargeError);
    // A timeout no run of this command could honour (it is not durable) is refused too, as at submission.
    await expect(
      createSchedule(manage, owner, { rate: '1 hours', job: { ...echo, timeoutSeconds: 3600 } }),
    ).rejects.toMatchObject({ code: 'validation_error', details: [{ path: 'job.timeoutSeconds' }] });
  });

  it('recomputes nextRunAt on every change; a new timetable replaces the old one', async () => {
    const { manage, clock } = setup();
    const schedule = await createSchedule(manage, owner, { cron: '0 * * * *', job: echo });
    clock.tick(minutes(7));
    const changed = await updateSchedule(manage, owner.userId, schedule.id, { rate: '15 minutes' });
    expect(changed).toMatchObject({ cron: null, rate: '15 minutes', nextRunAt: '2026-07-01T10:22:00.000Z' });
    const paused = await updateSchedule(manage, owner.userId, schedule.id, { paused: true });
    expect(paused.nextRunAt).toBeNull();
    clock.tick(minutes(60));
    const resumed = await updateSchedule(manage, owner.userId, schedule.id, { paused: false });
    // Resuming starts the periods from now: nothing of the paused hour is caught up.
    expect(resumed.nextRunAt).toBe('2026-07-01T11:22:00.000Z');
    await expect(updateSchedule(manage, owner.userId, schedule.id, { cron: 'nope' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("hides another user's schedule like a missing one", async () => {
    const { manage, schedules } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 hours', job: echo });
    await expect(getOwnSchedule(schedules, 'mallory', schedule.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateSchedule(manage, 'mallory', schedule.id, { paused: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(deleteSchedule(schedules, 'mallory', schedule.id)).rejects.toBeInstanceOf(NotFoundError);
    await deleteSchedule(schedules, owner.userId, schedule.id);
    await expect(getOwnSchedule(schedules, owner.userId, schedule.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the sweep', () => {
  it('starts one job per due time on the timetable, carrying scheduleId', async () => {
    const { manage, run, clock, jobsOf, reread, sent } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo });
    expect(await runDueSchedules(run)).toBe(0);
    clock.tick(minutes(1));
    expect(await runDueSchedules(run)).toBe(1);
    expect(await runDueSchedules(run)).toBe(0);
    const [first] = jobsOf(schedule);
    expect(first).toMatchObject({
      userId: 'alice',
      scheduleId: schedule.id,
      idempotencyKey: `schedule:${schedule.id}:2026-07-01T10:01:00.000Z`,
      status: 'queued',
    });
    expect(sent.map((job) => job.id)).toEqual([first?.id]);
    expect(await reread(schedule)).toMatchObject({
      nextRunAt: '2026-07-01T10:02:00.000Z',
      lastRunAt: '2026-07-01T10:01:00.000Z',
      lastJobId: first?.id,
    });
  });

  it('never starts two jobs for one due time when sweeps overlap', async () => {
    const { manage, run, clock, jobsOf } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, overlap: 'allow' });
    clock.tick(minutes(1));
    const started = await Promise.all([runDueSchedules(run), runDueSchedules(run), runDueSchedules(run)]);
    expect(started.reduce((a, b) => a + b, 0)).toBe(1);
    expect(jobsOf(schedule)).toHaveLength(1);
  });

  it('a sweep retried after dying between the submission and the schedule write starts nothing new', async () => {
    const { manage, run, clock, schedules, jobsOf, reread } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, overlap: 'allow' });
    clock.tick(minutes(1));
    const replace = schedules.replace.bind(schedules);
    schedules.replace = async () => {
      throw new Error('the function timed out');
    };
    expect(await runDueSchedules(run)).toBe(0);
    expect(jobsOf(schedule)).toHaveLength(1);
    expect((await reread(schedule)).nextRunAt).toBe('2026-07-01T10:01:00.000Z');
    schedules.replace = replace;
    clock.tick(20_000);
    expect(await runDueSchedules(run)).toBe(0);
    const jobs = jobsOf(schedule);
    expect(jobs).toHaveLength(1);
    expect(await reread(schedule)).toMatchObject({
      nextRunAt: '2026-07-01T10:02:00.000Z',
      lastJobId: jobs[0]?.id,
    });
  });

  it('overlap "skip" starts nothing while the previous job is unfinished; "allow" does', async () => {
    const { manage, run, clock, jobs, jobsOf, reread } = setup();
    const skip = await createSchedule(manage, owner, { rate: '1 minutes', job: echo });
    const allow = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, overlap: 'allow' });
    clock.tick(minutes(1));
    expect(await runDueSchedules(run)).toBe(2);
    clock.tick(minutes(1));
    // Both first jobs are still queued.
    expect(await runDueSchedules(run)).toBe(1);
    expect(jobsOf(skip)).toHaveLength(1);
    expect(jobsOf(allow)).toHaveLength(2);
    expect((await reread(skip)).nextRunAt).toBe('2026-07-01T10:03:00.000Z');
    // The previous job ends: the next due time starts one again.
    const previous = jobsOf(skip)[0] as Job;
    jobs.jobs.set(previous.id, { ...previous, status: 'completed', completedAt: clock.now().toISOString() });
    clock.tick(minutes(1));
    await runDueSchedules(run);
    expect(jobsOf(skip)).toHaveLength(2);
  });

  it('after downtime, runs once for all the missed due times, then keeps its timetable', async () => {
    const { manage, run, clock, jobsOf, reread } = setup();
    const schedule = await createSchedule(manage, owner, { cron: '*/5 * * * *', job: echo });
    clock.tick(minutes(47)); // 10:47: nine due times missed
    expect(await runDueSchedules(run)).toBe(1);
    expect(await runDueSchedules(run)).toBe(0);
    expect(jobsOf(schedule)).toHaveLength(1);
    expect(jobsOf(schedule)[0]?.idempotencyKey).toBe(`schedule:${schedule.id}:2026-07-01T10:05:00.000Z`);
    expect((await reread(schedule)).nextRunAt).toBe('2026-07-01T10:50:00.000Z');
  });

  it('starts nothing for a paused schedule', async () => {
    const { manage, run, clock, jobsOf } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, paused: true });
    clock.tick(minutes(5));
    expect(await runDueSchedules(run)).toBe(0);
    expect(jobsOf(schedule)).toHaveLength(0);
  });

  it('gives up a due time the submission refuses (say a quota), and keeps the timetable', async () => {
    const { manage, run, clock, jobsOf, reread } = setup();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo });
    const quotaFull: ScheduleRunDeps = {
      ...run,
      submit: { ...run.submit, quotas: { maxUnfinishedJobs: 1, maxUserPriority: 10 } },
    };
    quotaFull.submit.store.readStats = async () => ({
      byStatus: { queued: 1 } as never,
      byPriority: {},
      queueTime: { sum: 0, count: 0 },
      executionTime: { sum: 0, count: 0 },
    });
    clock.tick(minutes(1));
    expect(await runDueSchedules(quotaFull)).toBe(0);
    expect(jobsOf(schedule)).toHaveLength(0);
    expect((await reread(schedule)).nextRunAt).toBe('2026-07-01T10:02:00.000Z');
  });

  it('runs in the maintenance sweep, which reports the jobs it started', async () => {
    const { manage, run, clock, jobs } = setup();
    await createSchedule(manage, owner, { rate: '1 minutes', job: echo });
    clock.tick(minutes(1));
    const report = await recover({
      store: jobs,
      dispatcher: run.submit.dispatcher,
      clock,
      logger: silentLogger,
      staleAfterMs: 120_000,
      lostAfterMs: 900_000,
      deadlineUrgencyMs: 600_000,
      schedules: run,
    });
    expect(report.scheduled).toBe(1);
  });
});

describe('trigger', () => {
  it('starts the job now, outside the timetable, and records it as the last run', async () => {
    const { manage, run, clock, reread } = setup();
    const schedule = await createSchedule(manage, owner, { cron: '0 0 1 1 *', job: echo, paused: true });
    clock.tick(5_000);
    const job = await triggerSchedule(run, owner.userId, schedule.id);
    expect(job).toMatchObject({ scheduleId: schedule.id, idempotencyKey: null, status: 'queued' });
    expect(await reread(schedule)).toMatchObject({
      lastJobId: job.id,
      lastRunAt: '2026-07-01T10:00:05.000Z',
      nextRunAt: null,
    });
    await expect(triggerSchedule(run, 'mallory', schedule.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
