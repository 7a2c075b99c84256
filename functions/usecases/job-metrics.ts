/**
 * CloudWatch metrics of the jobs and of the notifier's fan-out, published once per stream batch from the
 * changes the consumers already read (no extra reads or writes). Metrics never fail a batch: a publisher
 * error is logged and the batch goes on. They are at least once: a batch retried after a crash or timeout
 * publishes its changes again (the DynamoDB rollups of `GET /queue/metrics` are exactly once).
 */
import type { Logger } from '../agents/registry.ts';
import type { Clock } from '../core/clock.ts';
import { type JobChangePair, type JobMetricGroup, summarizeJobChanges } from '../core/job-metrics.ts';

/** What one notifier batch delivered, summed over its job changes. */
export interface FanOutTotals {
  /** Job changes fanned out (heartbeats and other skipped records excluded). */
  changes: number;
  /** Frames posted to connections. */
  sent: number;
  /** Connections found gone (410) and removed. */
  gone: number;
  /** Posts that failed and are retried with the batch. */
  failed: number;
}

/** Port: where the metrics go (EMF through Powertools Metrics on AWS; nowhere locally). */
export interface MetricsPublisher {
  /** One metrics document per group (its tier and type are its dimensions). */
  jobs(groups: JobMetricGroup[]): void;
  fanOut(totals: FanOutTotals): void;
}

export const noMetrics: MetricsPublisher = { jobs: () => {}, fanOut: () => {} };

export interface JobMetricsDeps {
  metrics: MetricsPublisher;
  /** Maps a job type to its dimension value (core/job-metrics.ts typeBucket). */
  typeBucket: (type: string) => string;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
}

/** Publishes what these changes did to the jobs; never throws. */
export function publishJobMetrics(deps: JobMetricsDeps, changes: readonly JobChangePair[]): void {
  try {
    const groups = summarizeJobChanges(changes, deps.typeBucket, deps.clock.now().getTime());
    if (groups.length > 0) deps.metrics.jobs(groups);
  } catch (error) {
    deps.logger.warn('job metrics not published', { error });
  }
}

/** Publishes a notifier batch's fan-out; never throws. */
export function publishFanOutMetrics(
  deps: Pick<JobMetricsDeps, 'metrics' | 'logger'>,
  totals: FanOutTotals,
): void {
  if (totals.changes === 0) return;
  try {
    deps.metrics.fanOut(totals);
  } catch (error) {
    deps.logger.warn('fan-out metrics not published', { error });
  }
}
