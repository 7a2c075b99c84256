/**
 * Job metrics for CloudWatch, the pure part: a batch of job changes (old image → new image) summed per tier
 * and bounded job type. The events and timings are those of the metric rollups (core/metrics.ts
 * `metricHits`), so CloudWatch and `GET /queue/metrics` count the same things; retries and stale
 * recoveries are added here.
 *
 * Cardinality: every distinct type value is a further CloudWatch metric per name and tier (billed per metric
 * per month), and `type` is chosen by whoever registers agents. Only the types of an allow-list (the stack's
 * `metrics.jobTypes`, at most MAX_METRIC_JOB_TYPES) keep their name; every other type is counted as `other`.
 */
import type { Job } from './job.ts';
import { METRIC_EVENTS, type MetricEvent, metricHits } from './metrics.ts';
import type { Tier } from './tiers.ts';

/** Types with a series of their own at most (each costs 11 metrics per tier). */
export const MAX_METRIC_JOB_TYPES = 10;
/** The type dimension of every job whose type is not in the allow-list. */
export const OTHER_JOB_TYPE = 'other';

export const JOB_COUNTERS = [...METRIC_EVENTS, 'retries', 'staleRecoveries'] as const;
export type JobCounter = (typeof JOB_COUNTERS)[number];

/** What one batch did to the jobs of one tier and (bounded) type. */
export interface JobMetricGroup {
  tier: Tier;
  type: string;
  counts: Record<JobCounter, number>;
  /** Each started job's time from queued to started, in ms. */
  queueTimesMs: number[];
  /** Each finished job's run time, in ms. */
  executionTimesMs: number[];
}

export interface JobChangePair {
  before: Job | undefined;
  after: Job | undefined;
}

/** Keeps allow-listed types, anything else becomes `other` (see the header). */
export function typeBucket(allowed: ReadonlySet<string>): (type: string) => string {
  return (type) => (allowed.has(type) ? type : OTHER_JOB_TYPE);
}

/**
 * A job put back in line because its worker was lost: the maintenance sweep found its heartbeat stale, or
 * its message came back to a worker while it still looked running (both record `worker_lost`).
 */
export function isStaleRecovery(before: Job | undefined, after: Job | undefined): boolean {
  return (
    before?.status === 'running' &&
    after !== undefined &&
    after.status !== 'running' &&
    after.error?.code === 'worker_lost'
  );
}

/** A run that failed and waits for its next attempt (running → retrying). */
export const isRetry = (before: Job | undefined, after: Job | undefined): boolean =>
  before?.status === 'running' && after?.status === 'retrying';

/** Sums a batch per tier and bounded type; groups in first-seen order, only those something happened to. */
export function summarizeJobChanges(
  changes: readonly JobChangePair[],
  bucket: (type: string) => string,
  now: number,
): JobMetricGroup[] {
  const groups = new Map<string, JobMetricGroup>();
  const groupOf = (job: Job): JobMetricGroup => {
    const type = bucket(job.type);
    const key = `${job.tier}\u0000${type}`;
    let group = groups.get(key);
    if (!group) {
      const counts = Object.fromEntries(JOB_COUNTERS.map((name) => [name, 0])) as Record<JobCounter, number>;
      group = { tier: job.tier, type, counts, queueTimesMs: [], executionTimesMs: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const { before, after } of changes) {
    if (!after) continue;
    for (const hit of metricHits(before, after, now)) {
      const group = groupOf(after);
      for (const event of METRIC_EVENTS) group.counts[event as MetricEvent] += hit.fields[event] ?? 0;
      if (hit.fields.queueTimeCount) group.queueTimesMs.push(hit.fields.queueTimeSum ?? 0);
      if (hit.fields.executionTimeCount) group.executionTimesMs.push(hit.fields.executionTimeSum ?? 0);
    }
    if (isRetry(before, after)) groupOf(after).counts.retries += 1;
    if (isStaleRecovery(before, after)) groupOf(after).counts.staleRecoveries += 1;
  }
  return [...groups.values()];
}
