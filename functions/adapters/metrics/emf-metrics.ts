/**
 * The metrics publisher on AWS: CloudWatch Embedded Metric Format lines written to the function's log by
 * Powertools Metrics; CloudWatch Logs turns them into metrics (no PutMetricData call, no extra latency).
 * One line per tier and type group of a batch, with two dimension sets ([service, tier, type] for the
 * breakdown, [service, tier] for the per-tier graphs and alarms); one line per notifier batch.
 * Powertools Metrics adds about 16 KB to a bundle (measured 2026-11, metrics 2.35).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../../agents/registry.ts';
import { JOB_COUNTERS, type JobMetricGroup } from '../../core/job-metrics.ts';
import type { FanOutTotals, MetricsPublisher } from '../../usecases/job-metrics.ts';
import { FAN_OUT_METRICS, JOB_COUNTER_METRICS, JOB_TIMING_METRICS } from './metric-names.ts';

export class EmfMetrics implements MetricsPublisher {
  readonly #metrics: Metrics;

  /**
   * `service` is the dimension every metric carries (the stack's name for this deployment); Powertools'
   * own warnings go to `logger`.
   */
  constructor(options: { namespace: string; service: string; logger?: Pick<Logger, 'warn' | 'error'> }) {
    const log = options.logger;
    this.#metrics = new Metrics({
      namespace: options.namespace,
      serviceName: options.service,
      logger: {
        debug: () => {},
        info: () => {},
        // Powertools 2.35 warns whenever two dimension sets share a key, which the [tier, type] and [tier]
        // sets always do by design: that one warning is dropped, the others are logged.
        warn: (message: string) => {
          if (!/defined as both a dimension set and dimension set/.test(String(message)))
            log?.warn(String(message));
        },
        error: (message: string) => log?.error(String(message)),
      },
    });
  }

  jobs(groups: JobMetricGroup[]): void {
    for (const group of groups) {
      const metrics = this.#metrics;
      metrics.addDimensions({ tier: group.tier, type: group.type });
      metrics.addDimensions({ tier: group.tier });
      for (const counter of JOB_COUNTERS) {
        const value = group.counts[counter];
        if (value > 0) metrics.addMetric(JOB_COUNTER_METRICS[counter], MetricUnit.Count, value);
      }
      for (const value of group.queueTimesMs)
        metrics.addMetric(JOB_TIMING_METRICS.queueTime, MetricUnit.Milliseconds, value);
      for (const value of group.executionTimesMs)
        metrics.addMetric(JOB_TIMING_METRICS.executionTime, MetricUnit.Milliseconds, value);
      metrics.publishStoredMetrics();
    }
  }

  fanOut(totals: FanOutTotals): void {
    const metrics = this.#metrics;
    for (const key of ['changes', 'sent', 'gone', 'failed'] as const)
      metrics.addMetric(FAN_OUT_METRICS[key], MetricUnit.Count, totals[key]);
    metrics.publishStoredMetrics();
  }
}
