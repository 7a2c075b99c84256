/**
 * Job metrics on the template: the stream consumer and the notifier get the EMF environment (namespace,
 * service dimension, allow-listed types), the stale-recovery alarm sums the tiers' StaleRecoveries, the
 * operations dashboard has a "Jobs" row graphing the published names, and context switches the alarms and
 * the dashboard off for a dev stage.
 */
import { describe, expect, it } from 'vitest';
import { JOB_COUNTER_METRICS } from '../../functions/adapters/metrics/metric-names.ts';
import { TIERS } from '../../functions/core/tiers.ts';
import { settingsFromContext } from '../../infra/context.ts';
import { defaultMetricJobTypes, resolveObservabilitySettings } from '../../infra/observability-settings.ts';
import { SettingsError } from '../../infra/settings.ts';
import { logicalId, propertiesOf, resourcesOf, synth } from './support/synth.ts';

const { stack, json } = synth();
const variables = (fn: Parameters<typeof logicalId>[1]) =>
  (propertiesOf(json, logicalId(stack, fn)).Environment as { Variables: Record<string, unknown> }).Variables;
const context = (values: Record<string, string>) => ({ tryGetContext: (key: string) => values[key] });

describe('job metrics', () => {
  it('turns EMF on in the stream consumer and the notifier only', () => {
    for (const fn of [stack.workers.dependencyResolver, stack.webSocket.notifier])
      expect(variables(fn)).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: 'JobQueue',
        POWERTOOLS_SERVICE_NAME: 'job-queue-dev',
        METRICS_JOB_TYPES: 'demo',
      });
    expect(variables(stack.workers.worker)).not.toHaveProperty('POWERTOOLS_METRICS_NAMESPACE');
  });

  it('gives the registered agent types series of their own by default, at most ten', () => {
    expect(defaultMetricJobTypes()).toEqual(['demo']);
    expect(resolveObservabilitySettings({ metricJobTypes: ['a', 'b'] }).metricJobTypes).toEqual(['a', 'b']);
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(() => resolveObservabilitySettings({ metricJobTypes: eleven })).toThrow(SettingsError);
    expect(() => resolveObservabilitySettings({ metricJobTypes: ['other'] })).toThrow(/reserved/);
  });

  it('alarms on 10 or more stale recoveries over all tiers in five minutes', () => {
    const alarm = stack.alarms?.staleRecoveries;
    if (!alarm) throw new Error('no stale-recovery alarm');
    const properties = propertiesOf(json, logicalId(stack, alarm));
    expect(properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 10,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics = properties.Metrics as Array<Record<string, unknown>>;
    expect(metrics[0]).toMatchObject({
      Expression: TIERS.map((tier) => `FILL(${tier}, 0)`).join(' + '),
      ReturnData: true,
    });
    for (const tier of TIERS)
      expect(metrics).toContainEqual({
        Id: tier,
        Label: tier,
        MetricStat: {
          Metric: {
            Namespace: 'JobQueue',
            MetricName: 'StaleRecoveries',
            Dimensions: [
              { Name: 'service', Value: 'job-queue-dev' },
              { Name: 'tier', Value: tier },
            ],
          },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
  });

  it('reads the threshold and the switches from context', () => {
    const settings = settingsFromContext(
      context({
        'alarm.staleRecoveriesPerFiveMinutes': '3',
        alarms: 'false',
        operationsDashboard: 'false',
        'metrics.jobTypes': 'demo, scraper',
      }),
    );
    expect(settings.alarms?.staleRecoveriesPerFiveMinutes).toBe(3);
    expect(settings.observability).toEqual({
      alarms: false,
      dashboard: false,
      metricJobTypes: ['demo', 'scraper'],
    });
    expect(() => settingsFromContext(context({ alarms: 'off' }))).toThrow(SettingsError);
  });
});

describe('the operations dashboard', () => {
  const [, dashboard] = resourcesOf(json, 'AWS::CloudWatch::Dashboard')[0] ?? [];
  const body = JSON.stringify(dashboard?.Properties?.DashboardBody);

  it('has a Jobs row graphing every published job metric per tier, the timings and the fan-out', () => {
    expect(body).toContain('## Jobs');
    for (const name of [
      ...Object.values(JOB_COUNTER_METRICS),
      'QueueTime',
      'ExecutionTime',
      'FanOutFramesSent',
      'FanOutConnectionsGone',
    ])
      expect(body).toContain(`\\"JobQueue\\",\\"${name}\\"`);
    expect(body).toContain('\\"stat\\":\\"p99\\"');
  });
});

describe('switched off for a dev stage', () => {
  const quiet = synth({ settings: { observability: { alarms: false, dashboard: false } } });

  it('creates no alarms and no CloudWatch dashboard, but still publishes the metrics', () => {
    expect(quiet.stack.alarms).toBeUndefined();
    expect(quiet.stack.operationsDashboard).toBeUndefined();
    expect(resourcesOf(quiet.json, 'AWS::CloudWatch::Alarm')).toHaveLength(0);
    expect(resourcesOf(quiet.json, 'AWS::CloudWatch::Dashboard')).toHaveLength(0);
    const fn = quiet.stack.workers.dependencyResolver;
    const env = propertiesOf(quiet.json, logicalId(quiet.stack, fn)).Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('JobQueue');
  });

  it('keeps the dashboard without alarms (no alarm status widget)', () => {
    const noAlarms = synth({ settings: { observability: { alarms: false } } });
    const [, dashboard] = resourcesOf(noAlarms.json, 'AWS::CloudWatch::Dashboard')[0] ?? [];
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    expect(body).toContain('## Jobs');
    expect(body).not.toContain('alarm');
  });
});
