/**
 * Schedules on DynamoDB Local: the store's conditional writes and the sparse due index, and the sweep
 * against the real job store (idempotency records, conditional writes) with time driven by a TestClock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { DynamoScheduleStore } from '../../functions/adapters/dynamodb/schedule-store.ts';
import { createRegistry } from '../../functions/agents/index.ts';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import type { Schedule } from '../../functions/core/schedule.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { createSchedule, type ScheduleDeps } from '../../functions/usecases/schedules/manage-schedules.ts';
import { runDueSchedules, type ScheduleRunDeps } from '../../functions/usecases/schedules/run-schedules.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { silentLogger } from '../support/memory-store.ts';

let schedules: DynamoScheduleStore;
let jobs: DynamoJobStore;

beforeAll(async () => {
  const tables = await provisionTables(dynamoClient(), uniquePrefix('schedules'));
  schedules = new DynamoScheduleStore({ client: dynamoClient(), tableName: tables.Schedules as string });
  jobs = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 1 });
});

function deps(clock: TestClock) {
  const agents = createRegistry();
  const sent: Job[] = [];
  const manage: ScheduleDeps = { schedules, agents, clock };
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
  return { manage, run, sent };
}

const echo = { type: 'demo', command: 'echo', params: { value: { nested: [1, 2, 3] } } };
let users = 0;
const newUser = () => ({
  userId: `user-${++users}-${Math.random().toString(36).slice(2, 8)}`,
  isAdmin: false,
});

async function jobsOf(userId: string, schedule: Schedule): Promise<Job[]> {
  const page = await jobs.listByUser(userId, { limit: 100 });
  return page.items.filter((job) => job.scheduleId === schedule.id);
}

describe('DynamoScheduleStore', () => {
  it('keeps a schedule whole, per user, and writes only on the version it read', async () => {
    const clock = new TestClock('2026-07-01T10:00:00.000Z');
    const owner = newUser();
    const created = await createSchedule(deps(clock).manage, owner, {
      rate: '2 hours',
      name: 'nightly',
      job: echo,
    });
    expect(await schedules.get(owner.userId, created.id)).toEqual(created);
    expect(await schedules.get('someone-else', created.id)).toBeNull();
    const renamed = { ...created, name: 'renamed', version: created.version + 1 };
    expect(await schedules.replace(renamed, created.version)).toBe(true);
    // A writer that read the old version loses.
    expect(await schedules.replace({ ...created, name: 'stale' }, created.version)).toBe(false);
    expect((await schedules.get(owner.userId, created.id))?.name).toBe('renamed');
    expect(await schedules.delete(owner.userId, created.id)).toBe(true);
    expect(await schedules.delete(owner.userId, created.id)).toBe(false);
  });

  it("lists a user's schedules page by page", async () => {
    const clock = new TestClock('2026-07-01T10:00:00.000Z');
    const owner = newUser();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++)
      ids.add((await createSchedule(deps(clock).manage, owner, { rate: '1 days', job: echo })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await schedules.listByUser(owner.userId, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen)).toEqual(ids);
    await expect(schedules.listByUser('someone-else', { limit: 2, cursor: 'x' })).rejects.toThrow();
  });

  it('lists due schedules through the sparse index: not paused ones, not future ones', async () => {
    const clock = new TestClock('2030-01-01T00:00:00.000Z');
    const { manage } = deps(clock);
    const owner = newUser();
    const due = await createSchedule(manage, owner, { rate: '1 minutes', job: echo });
    const paused = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, paused: true });
    const later = await createSchedule(manage, owner, { rate: '1 hours', job: echo });
    const listed = await schedules.listDue('2030-01-01T00:01:00.000Z', { limit: 100 });
    const ids = listed.items.map((s) => s.id);
    expect(ids).toContain(due.id);
    expect(ids).not.toContain(paused.id);
    expect(ids).not.toContain(later.id);
  });
});

describe('the sweep on DynamoDB', () => {
  // Tables of its own: the due index spans the table, and these sweeps must see only their schedules.
  beforeAll(async () => {
    const tables = await provisionTables(dynamoClient(), uniquePrefix('schedule-sweeps'));
    schedules = new DynamoScheduleStore({ client: dynamoClient(), tableName: tables.Schedules as string });
    jobs = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 1 });
  });

  it('starts exactly one job for a due time when five sweeps run at once', async () => {
    const clock = new TestClock('2031-03-01T08:00:00.000Z');
    const { manage, run, sent } = deps(clock);
    const owner = newUser();
    const schedule = await createSchedule(manage, owner, { cron: '* * * * *', job: echo, overlap: 'allow' });
    clock.tick(60_000);
    const started = await Promise.all(Array.from({ length: 5 }, () => runDueSchedules(run)));
    expect(started.reduce((a, b) => a + b, 0)).toBe(1);
    const own = await jobsOf(owner.userId, schedule);
    expect(own).toHaveLength(1);
    expect(sent.filter((job) => job.scheduleId === schedule.id)).toHaveLength(1);
    expect(own[0]).toMatchObject({ scheduleId: schedule.id, params: echo.params });
    expect(await schedules.get(owner.userId, schedule.id)).toMatchObject({
      nextRunAt: '2031-03-01T08:02:00.000Z',
      lastJobId: own[0]?.id,
      version: 2,
    });
  });

  it('catches up once after downtime, then follows the timetable', async () => {
    const clock = new TestClock('2032-05-01T08:00:00.000Z');
    const { manage, run } = deps(clock);
    const owner = newUser();
    const schedule = await createSchedule(manage, owner, { rate: '1 minutes', job: echo, overlap: 'allow' });
    clock.tick(30 * 60_000 + 15_000);
    await runDueSchedules(run);
    await runDueSchedules(run);
    expect(await jobsOf(owner.userId, schedule)).toHaveLength(1);
    expect((await schedules.get(owner.userId, schedule.id))?.nextRunAt).toBe('2032-05-01T08:31:00.000Z');
    clock.tick(60_000);
    await runDueSchedules(run);
    expect(await jobsOf(owner.userId, schedule)).toHaveLength(2);
  });
});
