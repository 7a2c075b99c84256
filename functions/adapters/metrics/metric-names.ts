/**
 * The CloudWatch names of the job and fan-out metrics: the functions publish them (emf-metrics.ts) and the
 * stack's dashboard and alarms read them (infra/constructs/job-metrics.ts). Plain data, no SDK.
 */
import type { JobCounter } from '../../core/job-metrics.ts';

/** The namespace when the stack does not set POWERTOOLS_METRICS_NAMESPACE. */
export const DEFAULT_METRICS_NAMESPACE = 'JobQueue';

/** Counters, dimensions [service, tier, type] and [service, tier]. */
export const JOB_COUNTER_METRICS: Readonly<Record<JobCounter, string>> = {
  submitted: 'JobsSubmitted',
  started: 'JobsStarted',
  completed: 'JobsCompleted',
  failed: 'JobsFailed',
  dead: 'JobsDead',
  cancelled: 'JobsCancelled',
  retries: 'JobRetries',
  staleRecoveries: 'StaleRecoveries',
};

/** Timings in milliseconds, one value per job (so percentiles are real), same dimensions. */
export const JOB_TIMING_METRICS = { queueTime: 'QueueTime', executionTime: 'ExecutionTime' } as const;

/** The notifier's fan-out per batch, dimension [service]. */
export const FAN_OUT_METRICS = {
  changes: 'FanOutChanges',
  sent: 'FanOutFramesSent',
  gone: 'FanOutConnectionsGone',
  failed: 'FanOutPostsFailed',
} as const;
