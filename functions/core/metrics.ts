/**
 * Metrics history, the pure part: which events a job change is (submitted, started, finished), the rollup
 * steps and their buckets. A rollup bucket holds, per tier and type, the count of each event and the sums
 * and counts of queue and execution times; `GET /queue/metrics` sums the buckets it reads.
 */
import { isTerminal, type Job } from './job.ts';

export const METRIC_STEPS = [60, 300, 3600] as const;
export type MetricStep = (typeof METRIC_STEPS)[number];

/**
 * The steps kept as rollup items. Each is a transactional write per stream batch and scope, so 5-minute
 * points are summed on read from the minute items (five per point) instead: a third fewer rollup writes.
 * Hourly items stay, or a week of hourly points would read 10,080 minute items.
 */
export const STORED_STEPS = [60, 3600] as const satisfies readonly MetricStep[];

/** The stored step a point of `step` is summed from: the largest stored step dividing it. */
export const storedStepFor = (step: MetricStep): MetricStep =>
  [...STORED_STEPS].reverse().find((stored) => step % stored === 0) ?? 60;

/** Rollups are kept this long (DynamoDB TTL), then `GET /queue/metrics` shows zeros. */
export const METRICS_RETENTION_DAYS = 30;
/** At most this many points per request. */
export const MAX_METRIC_POINTS = 1440;

export const METRIC_EVENTS = ['submitted', 'started', 'completed', 'failed', 'dead', 'cancelled'] as const;
export type MetricEvent = (typeof METRIC_EVENTS)[number];
/** Every counted field of a bucket: the events, then the timing sums and counts. */
export const METRIC_FIELDS = [
  ...METRIC_EVENTS,
  'queueTimeSum',
  'queueTimeCount',
  'executionTimeSum',
  'executionTimeCount',
] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

/** One counted happening: at `at` (epoch ms), for a job of this tier and type, these fields grow. */
export interface MetricHit {
  at: number;
  tier: string;
  type: string;
  fields: Partial<Record<MetricField, number>>;
}

const time = (iso: string | null | undefined, fallback: number): number => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : fallback;
};

/**
 * The events of one change (old image → new image; undefined: created or deleted). Times come from the job
 * itself (createdAt, startedAt, completedAt), so a change counted twice would land in the same bucket,
 * and deletions (TTL, cleanup) are no events. A retry's new run is `started` again.
 */
export function metricHits(before: Job | undefined, after: Job | undefined, now: number): MetricHit[] {
  if (!after) return [];
  const hit = (at: number, fields: MetricHit['fields']): MetricHit => ({
    at,
    tier: after.tier,
    type: after.type,
    fields,
  });
  if (!before) return [hit(time(after.createdAt, now), { submitted: 1 })];
  if (after.status === before.status) return [];
  if (after.status === 'running' && before.status !== 'cancelling') {
    return [
      hit(time(after.startedAt, now), {
        started: 1,
        ...(after.queueTimeMs !== null && { queueTimeSum: after.queueTimeMs, queueTimeCount: 1 }),
      }),
    ];
  }
  if (isTerminal(after.status) && !isTerminal(before.status)) {
    const event = after.status as Extract<MetricEvent, 'completed' | 'failed' | 'dead' | 'cancelled'>;
    return [
      hit(time(after.completedAt, now), {
        [event]: 1,
        ...(after.executionTimeMs !== null && {
          executionTimeSum: after.executionTimeMs,
          executionTimeCount: 1,
        }),
      }),
    ];
  }
  return [];
}

/** The start (epoch ms) of the bucket of `step` seconds holding `at`. */
export const bucketStart = (at: number, step: MetricStep): number => at - (at % (step * 1000));
