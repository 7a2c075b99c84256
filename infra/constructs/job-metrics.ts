/**
 * The job metrics the stream consumer and the notifier publish in EMF (functions/adapters/metrics), on the
 * CDK side: the environment that turns them on, the CloudWatch metrics to graph and alarm on, and the
 * operations dashboard's "Jobs" row. Names come from functions/adapters/metrics/metric-names.ts, so a
 * rename there cannot leave the dashboard graphing nothing.
 */
import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  DEFAULT_METRICS_NAMESPACE,
  FAN_OUT_METRICS,
  JOB_COUNTER_METRICS,
  JOB_TIMING_METRICS,
} from '../../functions/adapters/metrics/metric-names.ts';
import type { JobCounter } from '../../functions/core/job-metrics.ts';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { METRICS_ENV } from '../../functions/wiring/job-metrics.ts';

export const JOB_METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;
const MINUTE = Duration.minutes(1);

export interface JobMetricsTarget {
  /** The `service` dimension of every metric: one per deployment (`job-queue-<stage>`). */
  service: string;
  /** Job types with series of their own. */
  jobTypes: readonly string[];
}

/** Turns the metrics on in a function: namespace, service dimension and the allow-listed types. */
export function bindJobMetrics(fn: LambdaFunction, target: JobMetricsTarget): void {
  fn.addEnvironment(METRICS_ENV.namespace, JOB_METRICS_NAMESPACE);
  fn.addEnvironment(METRICS_ENV.service, target.service);
  fn.addEnvironment(METRICS_ENV.jobTypes, target.jobTypes.join(','));
}

type MetricOptions = { statistic?: string; period?: Duration; label?: string };

/** A job metric of one tier, all types (the [service, tier] dimension set). */
export function tierMetric(service: string, name: string, tier: Tier, options: MetricOptions = {}): Metric {
  return new Metric({
    namespace: JOB_METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service, tier },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? MINUTE,
    label: options.label ?? tier,
  });
}

export const counterMetric = (service: string, counter: JobCounter, tier: Tier, options?: MetricOptions) =>
  tierMetric(service, JOB_COUNTER_METRICS[counter], tier, options);

/** A counter summed over every tier (missing tiers count 0). */
export function allTiers(
  service: string,
  counter: JobCounter,
  period: Duration,
  label: string,
): MathExpression {
  const usingMetrics = Object.fromEntries(
    TIERS.map((tier) => [tier, counterMetric(service, counter, tier, { period })]),
  );
  return new MathExpression({
    expression: TIERS.map((tier) => `FILL(${tier}, 0)`).join(' + '),
    usingMetrics,
    label,
    period,
  });
}

const fanOutMetric = (service: string, key: keyof typeof FAN_OUT_METRICS, label: string) =>
  new Metric({
    namespace: JOB_METRICS_NAMESPACE,
    metricName: FAN_OUT_METRICS[key],
    dimensionsMap: { service },
    statistic: 'Sum',
    period: MINUTE,
    label,
  });

/** The operations dashboard's "Jobs" row: counters and timings per tier, retries, recoveries, fan-out. */
export function jobMetricWidgets(service: string, size: { width: number; height: number }): IWidget[] {
  const graph = (title: string, left: Metric[] | MathExpression[]) =>
    new GraphWidget({ title, left, ...size });
  const perTier = (counter: JobCounter) => TIERS.map((tier) => counterMetric(service, counter, tier));
  const timing = (name: string, statistic: string) =>
    TIERS.map((tier) => tierMetric(service, name, tier, { statistic, label: `${tier} ${statistic}` }));
  return [
    graph('Jobs submitted', perTier('submitted')),
    graph('Jobs started', perTier('started')),
    graph('Jobs completed', perTier('completed')),
    graph('Jobs failed', perTier('failed')),
    graph('Jobs dead', perTier('dead')),
    graph('Jobs cancelled', perTier('cancelled')),
    graph('Queue time p50 / p99 (ms)', [
      ...timing(JOB_TIMING_METRICS.queueTime, 'p50'),
      ...timing(JOB_TIMING_METRICS.queueTime, 'p99'),
    ]),
    graph('Execution time p50 / p99 (ms)', [
      ...timing(JOB_TIMING_METRICS.executionTime, 'p50'),
      ...timing(JOB_TIMING_METRICS.executionTime, 'p99'),
    ]),
    graph('Retries', perTier('retries')),
    graph('Stale recoveries (worker lost)', perTier('staleRecoveries')),
    graph('Notifier fan-out', [
      fanOutMetric(service, 'changes', 'job changes'),
      fanOutMetric(service, 'sent', 'frames sent'),
      fanOutMetric(service, 'gone', 'connections gone'),
      fanOutMetric(service, 'failed', 'posts failed'),
    ]),
  ];
}
