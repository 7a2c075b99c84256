/**
 * The job and fan-out metrics publisher, built once from the environment the stack sets. Without
 * POWERTOOLS_METRICS_NAMESPACE (the local stack, tests) nothing is published; set it (and
 * POWERTOOLS_SERVICE_NAME) before `npm start` to see the EMF lines in the log.
 */
import { EmfMetrics } from '../adapters/metrics/emf-metrics.ts';
import { systemClock } from '../core/clock.ts';
import { MAX_METRIC_JOB_TYPES, typeBucket } from '../core/job-metrics.ts';
import { type JobMetricsDeps, type MetricsPublisher, noMetrics } from '../usecases/job-metrics.ts';
import { ConfigError, optionalEnv } from './env.ts';
import { logger } from './logger.ts';

export const METRICS_ENV = {
  namespace: 'POWERTOOLS_METRICS_NAMESPACE',
  service: 'POWERTOOLS_SERVICE_NAME',
  /** Comma-separated job types with a series of their own; others are `other` (core/job-metrics.ts). */
  jobTypes: 'METRICS_JOB_TYPES',
} as const;

export function metricsPublisher(env: NodeJS.ProcessEnv = process.env): MetricsPublisher {
  const namespace = optionalEnv(METRICS_ENV.namespace, env);
  if (!namespace) return noMetrics;
  return new EmfMetrics({
    namespace,
    service: optionalEnv(METRICS_ENV.service, env) ?? 'job-queue',
    logger,
  });
}

export function metricJobTypes(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const types = (optionalEnv(METRICS_ENV.jobTypes, env) ?? '')
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  if (types.length > MAX_METRIC_JOB_TYPES)
    throw new ConfigError(
      `${METRICS_ENV.jobTypes} lists ${types.length} types; at most ${MAX_METRIC_JOB_TYPES}`,
    );
  return new Set(types);
}

export const jobMetricsDeps: JobMetricsDeps = {
  metrics: metricsPublisher(),
  typeBucket: typeBucket(metricJobTypes()),
  clock: systemClock,
  logger,
};
