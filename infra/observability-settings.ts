/**
 * What the stack observes and publishes besides the alarm thresholds (infra/alarm-settings.ts): whether the
 * CloudWatch alarms and the operations dashboard exist at all (a dev stage may do without both), and which
 * job types get CloudWatch metric series of their own (the others are counted as `other`; see
 * functions/core/job-metrics.ts for why the list is bounded).
 */
import { agents } from '../functions/agents/index.ts';
import { MAX_METRIC_JOB_TYPES } from '../functions/core/job-metrics.ts';
import { SettingsError } from './settings-error.ts';

export interface ObservabilitySettings {
  /** The CloudWatch alarms (default true). */
  alarms?: boolean;
  /** The CloudWatch operations dashboard (default true). */
  dashboard?: boolean;
  /** Job types with metric series of their own (default: the registered agent types, at most ten). */
  metricJobTypes?: string[];
}

export type ResolvedObservabilitySettings = Required<ObservabilitySettings>;

/** The agent registry's types, in registration order, as many as may have series. */
export const defaultMetricJobTypes = (): string[] =>
  agents
    .list()
    .map(({ type }) => type)
    .slice(0, MAX_METRIC_JOB_TYPES);

export function resolveObservabilitySettings(
  settings: ObservabilitySettings = {},
): ResolvedObservabilitySettings {
  const metricJobTypes = settings.metricJobTypes ?? defaultMetricJobTypes();
  if (metricJobTypes.length > MAX_METRIC_JOB_TYPES)
    throw new SettingsError(
      `metrics.jobTypes lists ${metricJobTypes.length} types; at most ${MAX_METRIC_JOB_TYPES} get series of their own`,
    );
  for (const type of metricJobTypes)
    if (!/^[\w.-]{1,64}$/.test(type) || type === 'other')
      throw new SettingsError(
        `metrics.jobTypes: "${type}" is not a job type name (or is the reserved "other")`,
      );
  return { alarms: settings.alarms ?? true, dashboard: settings.dashboard ?? true, metricJobTypes };
}
