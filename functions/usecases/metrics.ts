/**
 * `GET /queue/metrics`: the history of submissions, starts and outcomes, one point per step between `from`
 * and `to`, zero-filled, oldest first; optionally only jobs of one tier and/or one type. Reads one rollup
 * item per point at most (five minute items per 5-minute point; bounded by MAX_METRIC_POINTS), never the
 * jobs themselves.
 */
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import {
  bucketStart,
  MAX_METRIC_POINTS,
  METRIC_EVENTS,
  type MetricEvent,
  type MetricField,
  type MetricStep,
  storedStepFor,
} from '../core/metrics.ts';
import type { StatsScope } from '../core/ports.ts';

/** One rollup bucket: its start (epoch ms) and its counted fields, named `<field>|<tier>|<type>`. */
export interface MetricBucket {
  at: number;
  counts: Record<string, number>;
}

export interface MetricsReader {
  /** The buckets of `step` whose start is between `from` and `to` (epoch ms, inclusive). */
  buckets(scope: StatsScope, step: MetricStep, from: number, to: number): Promise<MetricBucket[]>;
}

export interface MetricsQuery {
  from?: string | undefined;
  to?: string | undefined;
  step: MetricStep;
  tier?: string | undefined;
  type?: string | undefined;
}

export type MetricPoint = { t: string } & Record<MetricEvent, number> & {
    avgQueueTimeMs: number | null;
    avgExecutionTimeMs: number | null;
  };

const HOUR_MS = 3_600_000;

export async function queueMetrics(
  deps: { metrics: MetricsReader; clock: Clock },
  scope: StatsScope,
  query: MetricsQuery,
): Promise<{ step: MetricStep; points: MetricPoint[] }> {
  const now = deps.clock.now().getTime();
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - HOUR_MS;
  if (from > to) throw new ValidationError([{ path: 'from', message: 'must not be after `to`' }]);
  const stepMs = query.step * 1000;
  const first = bucketStart(from, query.step);
  const count = Math.floor((to - first) / stepMs) + 1;
  if (count > MAX_METRIC_POINTS) {
    throw new ValidationError([
      {
        path: 'step',
        message: `from..to at this step is ${count} points; at most ${MAX_METRIC_POINTS} (widen the step or narrow the range)`,
      },
    ]);
  }
  const last = first + (count - 1) * stepMs;
  // A step without items of its own (5 minutes) is summed from the stored step below it (minutes).
  const stored = storedStepFor(query.step);
  const byStart = new Map<number, Record<string, number>>();
  const lastStored = last + stepMs - stored * 1000;
  for (const bucket of await deps.metrics.buckets(scope, stored, first, lastStored)) {
    const at = bucketStart(bucket.at, query.step);
    const sums = byStart.get(at) ?? {};
    for (const [name, value] of Object.entries(bucket.counts)) sums[name] = (sums[name] ?? 0) + value;
    byStart.set(at, sums);
  }
  const matches = (name: string): MetricField | null => {
    const [field, tier, type] = name.split('|');
    if (query.tier !== undefined && tier !== query.tier) return null;
    if (query.type !== undefined && type !== query.type) return null;
    return (field as MetricField | undefined) ?? null;
  };
  return {
    step: query.step,
    points: Array.from({ length: count }, (_, i) => {
      const at = first + i * stepMs;
      const sums: Partial<Record<MetricField, number>> = {};
      for (const [name, value] of Object.entries(byStart.get(at) ?? {})) {
        const field = matches(name);
        if (field) sums[field] = (sums[field] ?? 0) + value;
      }
      const average = (sum: MetricField, of: MetricField) => {
        const n = sums[of] ?? 0;
        return n > 0 ? Math.round((sums[sum] ?? 0) / n) : null;
      };
      return {
        t: new Date(at).toISOString(),
        ...(Object.fromEntries(METRIC_EVENTS.map((event) => [event, sums[event] ?? 0])) as Record<
          MetricEvent,
          number
        >),
        avgQueueTimeMs: average('queueTimeSum', 'queueTimeCount'),
        avgExecutionTimeMs: average('executionTimeSum', 'executionTimeCount'),
      };
    }),
  };
}
