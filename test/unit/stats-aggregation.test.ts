/**
 * The pure side of statistics from the stream: which events a change is, how a batch of changes sums into
 * one delta per counter and rollup item, and how the metrics route zero-fills, filters and bounds points.
 */
import { describe, expect, it } from 'vitest';
import { readRollupField, rollupField } from '../../functions/adapters/dynamodb/rollup-fields.ts';
import { rollupKey, StatsAggregate } from '../../functions/adapters/dynamodb/stats-aggregate.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { ValidationError } from '../../functions/core/errors.ts';
import type { Job } from '../../functions/core/job.ts';
import { bucketStart, metricHits } from '../../functions/core/metrics.ts';
import { type MetricBucket, queueMetrics } from '../../functions/usecases/metrics.ts';
import { aJob } from '../support/job-factory.ts';

const NOW = Date.parse('2026-11-27T10:00:30.000Z');
const queued = (over: Partial<Job> = {}) =>
  aJob({ userId: 'ann', type: 'demo', tier: 'normal', createdAt: '2026-11-27T10:00:05.000Z', ...over });
const running = (job: Job): Job => ({
  ...job,
  status: 'running',
  startedAt: '2026-11-27T10:01:10.000Z',
  queueTimeMs: 65_000,
  seq: job.seq + 1,
});
const completed = (job: Job): Job => ({
  ...job,
  status: 'completed',
  completedAt: '2026-11-27T10:02:00.000Z',
  executionTimeMs: 50_000,
  seq: job.seq + 1,
});

describe('metric events of a change', () => {
  it('counts a submission at createdAt, a start with its queue time, an outcome with its execution time', () => {
    const job = queued();
    expect(metricHits(undefined, job, NOW)).toEqual([
      { at: Date.parse(job.createdAt), tier: 'normal', type: 'demo', fields: { submitted: 1 } },
    ]);
    const started = running(job);
    expect(metricHits(job, started, NOW)[0]?.fields).toEqual({
      started: 1,
      queueTimeSum: 65_000,
      queueTimeCount: 1,
    });
    expect(metricHits(started, completed(started), NOW)[0]).toMatchObject({
      at: Date.parse('2026-11-27T10:02:00.000Z'),
      fields: { completed: 1, executionTimeSum: 50_000, executionTimeCount: 1 },
    });
  });

  it('counts nothing for progress, heartbeats, cancelling→running and deletions; a retry starts again', () => {
    const started = running(queued());
    expect(
      metricHits(started, { ...started, progress: { percent: 50, stage: null, message: null } }, NOW),
    ).toEqual([]);
    expect(metricHits(completed(started), undefined, NOW)).toEqual([]);
    expect(metricHits({ ...started, status: 'cancelling' }, started, NOW)).toEqual([]);
    const retrying = { ...started, status: 'retrying' as const };
    expect(metricHits(retrying, { ...started, seq: 9 }, NOW)[0]?.fields.started).toBe(1);
  });
});

describe('aggregating a batch', () => {
  it('sums many changes into one delta per counter item and per rollup bucket', () => {
    const aggregate = new StatsAggregate();
    const jobs = [queued(), queued(), queued({ userId: 'bob', tier: 'high' })];
    for (const job of jobs) aggregate.add({ before: undefined, after: job }, NOW);
    const started = running(jobs[0] as Job);
    aggregate.add({ before: jobs[0], after: started }, NOW);
    const counters = (pk: string) => aggregate.items.get(`${pk}\u0000S#agg`)?.add;
    expect(counters('STATS#ALL')).toMatchObject({ n_queued: 2, n_running: 1, p_5: 3 });
    expect(counters('STATS#U#ann')).toMatchObject({ n_queued: 1, n_running: 1 });
    expect(counters('STATS#U#bob')).toMatchObject({ n_queued: 1 });
    const minute = rollupKey('ALL', 60, Date.parse('2026-11-27T10:00:00.000Z'));
    // Field and tier in codes (rollup-fields.ts): `s|n|demo` is submitted|normal|demo.
    expect(aggregate.items.get(`${minute.pk}\u0000${minute.sk}`)?.add).toEqual({
      's|n|demo': 2,
      's|h|demo': 1,
    });
    const hour = rollupKey('U#ann', 3600, Date.parse('2026-11-27T10:00:00.000Z'));
    expect(aggregate.items.get(`${hour.pk}\u0000${hour.sk}`)?.add).toEqual({
      's|n|demo': 2,
      'r|n|demo': 1,
      'qs|n|demo': 65_000,
      'qn|n|demo': 1,
    });
    // 3 counter items; per scope (ALL, ann, bob) one bucket per stored step (minute, hour), plus ann's and
    // ALL's start minute. No 5-minute items: those points are summed from minutes on read.
    expect(aggregate.size).toBe(3 + 3 * 2 + 2);
    expect([...aggregate.items.keys()].some((id) => id.includes('#300\u0000'))).toBe(false);
  });

  it('writes no sum that came to zero, and no item left with nothing to add', () => {
    const aggregate = new StatsAggregate();
    const started = running(queued({ status: 'queued' }));
    const retrying: Job = { ...started, status: 'retrying', seq: started.seq + 1 };
    // running → retrying → running again, with the same queue time: the counters cancel out.
    aggregate.add({ before: started, after: retrying }, NOW);
    aggregate.add({ before: retrying, after: { ...started, seq: retrying.seq + 1 } }, NOW);
    const writes = aggregate.writes();
    expect(writes.some((item) => item.key.pk.startsWith('STATS#'))).toBe(false);
    // The second start is an event of the rollups, so those are written, with no zero in them.
    expect(writes.length).toBeGreaterThan(0);
    for (const item of writes) expect(Object.values(item.add)).not.toContain(0);
    expect(aggregate.size).toBeGreaterThan(writes.length);
  });

  it('buckets by step boundaries and expires rollups 30 days after the bucket ends', () => {
    const at = Date.parse('2026-11-27T10:07:42.123Z');
    expect(new Date(bucketStart(at, 60)).toISOString()).toBe('2026-11-27T10:07:00.000Z');
    expect(new Date(bucketStart(at, 300)).toISOString()).toBe('2026-11-27T10:05:00.000Z');
    expect(new Date(bucketStart(at, 3600)).toISOString()).toBe('2026-11-27T10:00:00.000Z');
    const aggregate = new StatsAggregate();
    aggregate.add({ before: undefined, after: queued({ createdAt: new Date(at).toISOString() }) }, NOW);
    const key = rollupKey('ALL', 3600, Date.parse('2026-11-27T10:00:00.000Z'));
    expect(aggregate.items.get(`${key.pk}\u0000${key.sk}`)?.expiresAt).toBe(
      Date.parse('2026-11-27T11:00:00.000Z') / 1000 + 30 * 86400,
    );
  });
});

describe('rollup attribute names', () => {
  it('are coded when written and read back in full, types untouched', () => {
    expect(rollupField('executionTimeCount', 'normal', 'demo')).toBe('en|n|demo');
    expect(rollupField('submitted', 'critical', 'a|b')).toBe('s|c|a|b');
    expect(readRollupField('en|n|demo')).toBe('executionTimeCount|normal|demo');
    expect(readRollupField('s|c|a|b')).toBe('submitted|critical|a|b');
    expect(readRollupField('c|l|demo')).toBe('completed|low|demo');
  });

  it('of items written before the codes pass through unchanged', () => {
    expect(readRollupField('completed|normal|demo')).toBe('completed|normal|demo');
    expect(readRollupField('queueTimeSum|high|x')).toBe('queueTimeSum|high|x');
  });
});

describe('GET /queue/metrics points', () => {
  const clock = new TestClock('2026-11-27T10:03:30.000Z');
  const reader = (buckets: MetricBucket[]) => {
    const calls: Array<[number, number]> = [];
    return {
      calls,
      metrics: {
        buckets: async (_scope: unknown, _step: unknown, from: number, to: number) => {
          calls.push([from, to]);
          return buckets.filter((bucket) => bucket.at >= from && bucket.at <= to);
        },
      },
    };
  };

  it('zero-fills one point per step, oldest first, and filters by tier and type', async () => {
    const { metrics } = reader([
      {
        at: Date.parse('2026-11-27T10:01:00.000Z'),
        counts: {
          'submitted|normal|demo': 2,
          'submitted|high|other': 1,
          'completed|normal|demo': 1,
          'executionTimeSum|normal|demo': 300,
          'executionTimeCount|normal|demo': 1,
        },
      },
    ]);
    const query = { from: '2026-11-27T10:00:10.000Z', to: '2026-11-27T10:03:00.000Z', step: 60 as const };
    const all = await queueMetrics({ metrics, clock }, { all: true }, query);
    expect(all.points.map((point) => point.t)).toEqual([
      '2026-11-27T10:00:00.000Z',
      '2026-11-27T10:01:00.000Z',
      '2026-11-27T10:02:00.000Z',
      '2026-11-27T10:03:00.000Z',
    ]);
    expect(all.points[0]).toEqual({
      t: '2026-11-27T10:00:00.000Z',
      submitted: 0,
      started: 0,
      completed: 0,
      failed: 0,
      dead: 0,
      cancelled: 0,
      avgQueueTimeMs: null,
      avgExecutionTimeMs: null,
    });
    expect(all.points[1]).toMatchObject({ submitted: 3, completed: 1, avgExecutionTimeMs: 300 });
    const high = await queueMetrics({ metrics, clock }, { all: true }, { ...query, tier: 'high' });
    expect(high.points[1]).toMatchObject({ submitted: 1, completed: 0, avgExecutionTimeMs: null });
    const demo = await queueMetrics({ metrics, clock }, { all: true }, { ...query, type: 'demo' });
    expect(demo.points[1]).toMatchObject({ submitted: 2, completed: 1 });
  });

  it('sums 5-minute points from the minute items, reading the minute step over the whole last point', async () => {
    const steps: unknown[] = [];
    const minutes: MetricBucket[] = ['10:04', '10:05', '10:09', '10:10'].map((hhmm) => ({
      at: Date.parse(`2026-11-27T${hhmm}:00.000Z`),
      counts: {
        'completed|normal|demo': 1,
        'executionTimeSum|normal|demo': 100,
        'executionTimeCount|normal|demo': 1,
      },
    }));
    const metrics = {
      buckets: async (_scope: unknown, step: unknown, from: number, to: number) => {
        steps.push([step, new Date(from).toISOString(), new Date(to).toISOString()]);
        return minutes.filter((bucket) => bucket.at >= from && bucket.at <= to);
      },
    };
    const query = { from: '2026-11-27T10:00:00.000Z', to: '2026-11-27T10:05:00.000Z', step: 300 as const };
    const result = await queueMetrics({ metrics, clock }, { all: true }, query);

    expect(steps).toEqual([[60, '2026-11-27T10:00:00.000Z', '2026-11-27T10:09:00.000Z']]);
    expect(result.points).toEqual([
      expect.objectContaining({ t: '2026-11-27T10:00:00.000Z', completed: 1, avgExecutionTimeMs: 100 }),
      expect.objectContaining({ t: '2026-11-27T10:05:00.000Z', completed: 2, avgExecutionTimeMs: 100 }),
    ]);
  });

  it('defaults to the last hour and refuses more than 1,440 points or from after to', async () => {
    const { metrics, calls } = reader([]);
    const hour = await queueMetrics({ metrics, clock }, { userId: 'ann' }, { step: 60 });
    expect(hour.points).toHaveLength(61);
    expect(hour.points.at(-1)?.t).toBe('2026-11-27T10:03:00.000Z');
    const month = await queueMetrics(
      { metrics, clock },
      { all: true },
      { from: '2026-10-28T10:00:00.000Z', to: '2026-11-27T10:00:00.000Z', step: 3600 },
    );
    expect(month.points).toHaveLength(721);
    expect(calls.at(-1)).toEqual([
      Date.parse('2026-10-28T10:00:00.000Z'),
      Date.parse('2026-11-27T10:00:00.000Z'),
    ]);
    await expect(
      queueMetrics(
        { metrics, clock },
        { all: true },
        { from: '2026-11-25T10:00:00.000Z', to: '2026-11-27T10:00:00.000Z', step: 60 },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      queueMetrics({ metrics, clock }, { all: true }, { from: '2026-11-27T11:00:00.000Z', step: 60 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
