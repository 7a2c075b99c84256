/**
 * Alarms and the operations dashboard on the synthesized template: each alarm's metric, statistic, period
 * and threshold, the thresholds from settings and context, the SNS topic only with an alarm e-mail, and a
 * CloudWatch dashboard that shows the alarms and the metrics they watch.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { alarmDefaults, resolveAlarmSettings } from '../../infra/alarm-settings.ts';
import { settingsFromContext } from '../../infra/context.ts';
import { SettingsError } from '../../infra/settings.ts';
import { logicalId, propertiesOf, resourcesOf, synth } from './support/synth.ts';

/** The stack's alarms (present unless switched off by context). */
function alarmsOf(synthesized: ReturnType<typeof synth>) {
  if (!synthesized.stack.alarms) throw new Error('the stack has no alarms');
  return synthesized.stack.alarms;
}
const synthesized = synth();
const { stack, json } = synthesized;
const alarms = alarmsOf(synthesized);
const props = (alarm: Parameters<typeof logicalId>[1]) => propertiesOf(json, logicalId(stack, alarm));
const ref = (construct: Parameters<typeof logicalId>[1]) => ({ Ref: logicalId(stack, construct) });
const queueName = (queue: Parameters<typeof logicalId>[1]) => ({
  'Fn::GetAtt': [logicalId(stack, queue), 'QueueName'],
});
const context = (values: Record<string, string>) => ({ tryGetContext: (key: string) => values[key] });

describe('alarms', () => {
  it.each(TIERS)('%s: fires when a message is in or received from the dead-letter queue', (tier) => {
    const dlq = queueName(stack.queues.deadLetterQueues[tier]);
    expect(props(alarms.deadLetters[tier])).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        { Expression: 'FILL(visible, 0) + FILL(received, 0)', ReturnData: true },
        {
          Id: 'visible',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: dlq }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
          ReturnData: false,
        },
        {
          Id: 'received',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'NumberOfMessagesReceived',
              Dimensions: [{ Name: 'QueueName', Value: dlq }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    });
  });

  it.each(TIERS)(
    "%s: fires when the oldest message waits over the tier's threshold for 5 minutes",
    (tier) => {
      expect(props(alarms.oldestMessage[tier])).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: queueName(stack.queues.queues[tier]) }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: alarmDefaults.oldestMessageSeconds[tier],
        TreatMissingData: 'notBreaching',
      });
    },
  );

  const watched = {
    worker: stack.workers.worker,
    dependencyResolver: stack.workers.dependencyResolver,
    notifier: stack.webSocket.notifier,
    recover: stack.maintenance.recoverFunction,
  };

  it.each(Object.entries(watched))('%s: fires on any error and any throttle in 5 minutes', (name, fn) => {
    for (const [alarm, metricName] of [
      [alarms.errors[name], 'Errors'],
      [alarms.throttles[name], 'Throttles'],
    ] as const) {
      if (!alarm) throw new Error(`no ${metricName} alarm for ${name}`);
      expect(props(alarm)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('watches exactly those functions', () => {
    expect(Object.keys(alarms.errors).sort()).toEqual(Object.keys(watched).sort());
    expect(Object.keys(alarms.throttles).sort()).toEqual(Object.keys(watched).sort());
  });

  it.each([
    ['dependencyResolver', stack.workers.dependencyResolver],
    ['notifier', stack.webSocket.notifier],
  ])('%s: fires when it lags the stream over 60 s for 3 of 5 minutes', (name, fn) => {
    const alarm = alarms.iteratorAge[name];
    if (!alarm) throw new Error(name);
    expect(props(alarm)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 60_000,
    });
    expect(Object.keys(alarms.iteratorAge).sort()).toEqual(['dependencyResolver', 'notifier']);
  });

  it('fires on 5 or more HTTP API 5xx in 5 minutes', () => {
    expect(props(alarms.api5xx)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: ref(stack.httpApi.api) }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 5,
    });
  });

  it('creates no topic and no alarm actions without an alarm e-mail', () => {
    expect(alarms.topic).toBeUndefined();
    expect(resourcesOf(json, 'AWS::SNS::Topic')).toHaveLength(0);
    for (const [id, alarm] of resourcesOf(json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties?.AlarmActions, id).toBeUndefined();
      expect(alarm.Properties?.OKActions, id).toBeUndefined();
    }
    expect(resourcesOf(json, 'AWS::CloudWatch::Alarm')).toHaveLength(alarms.all().length);
  });
});

describe('alarm settings', () => {
  const custom = synth({
    settings: {
      alarms: {
        email: 'ops@example.com',
        oldestMessageSeconds: { low: 7200 },
        iteratorAgeSeconds: 120,
        api5xxPerFiveMinutes: 1,
      },
    },
  });
  const customProps = (alarm: Parameters<typeof logicalId>[1]) =>
    propertiesOf(custom.json, logicalId(custom.stack, alarm));

  it('notifies an SNS topic, TLS only, with the e-mail subscribed, on alarm and on recovery', () => {
    const topic = alarmsOf(custom).topic;
    if (!topic) throw new Error('no topic');
    const topicRef = { Ref: logicalId(custom.stack, topic) };
    custom.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef,
    });
    custom.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    const all = resourcesOf(custom.json, 'AWS::CloudWatch::Alarm');
    expect(all.length).toBe(alarmsOf(custom).all().length);
    for (const [id, alarm] of all) {
      expect(alarm.Properties?.AlarmActions, id).toEqual([topicRef]);
      expect(alarm.Properties?.OKActions, id).toEqual([topicRef]);
    }
  });

  it('takes the thresholds it is given, and the defaults for the rest', () => {
    const { oldestMessage, iteratorAge, api5xx } = alarmsOf(custom);
    expect(customProps(oldestMessage.low).Threshold).toBe(7200);
    expect(customProps(oldestMessage.critical).Threshold).toBe(alarmDefaults.oldestMessageSeconds.critical);
    expect(customProps(iteratorAge.notifier as never).Threshold).toBe(120_000);
    expect(customProps(api5xx).Threshold).toBe(1);
  });

  it('reads them from context', () => {
    expect(
      settingsFromContext(
        context({
          alarmEmail: 'ops@example.com',
          'alarm.oldestMessageSeconds.high': '600',
          'alarm.iteratorAgeSeconds': '30',
          'alarm.api5xxPerFiveMinutes': '10',
        }),
      ).alarms,
    ).toEqual({
      email: 'ops@example.com',
      oldestMessageSeconds: { high: 600 },
      iteratorAgeSeconds: 30,
      api5xxPerFiveMinutes: 10,
    });
  });

  it('rejects a bad e-mail and thresholds out of range', () => {
    expect(() => resolveAlarmSettings({ email: 'ops' })).toThrow(SettingsError);
    expect(() => resolveAlarmSettings({ oldestMessageSeconds: { low: 30 } })).toThrow(/60 to/);
    expect(() => resolveAlarmSettings({ oldestMessageSeconds: { low: 15 * 24 * 3600 } })).toThrow(
      SettingsError,
    );
    expect(() => resolveAlarmSettings({ iteratorAgeSeconds: 0 })).toThrow(SettingsError);
    expect(() => resolveAlarmSettings({ api5xxPerFiveMinutes: 1.5 })).toThrow(SettingsError);
    expect(() => settingsFromContext(context({ 'alarm.iteratorAgeSeconds': 'soon' }))).toThrow(SettingsError);
  });
});

describe('dashboard sign-in context', () => {
  it('reads the OIDC provider, and needs the issuer and the client id together', () => {
    expect(
      settingsFromContext(
        context({
          'dashboard.oidcIssuer': 'https://idp.example.com',
          'dashboard.oidcClientId': 'dashboard',
          'dashboard.oidcConnectOrigins': 'https://a.example.com, https://b.example.com',
        }),
      ).dashboard,
    ).toEqual({
      oidc: {
        issuer: 'https://idp.example.com',
        clientId: 'dashboard',
        connectOrigins: ['https://a.example.com', 'https://b.example.com'],
      },
    });
    expect(settingsFromContext(context({})).dashboard).toEqual({});
    expect(() => settingsFromContext(context({ 'dashboard.oidcIssuer': 'https://idp.example.com' }))).toThrow(
      /both/,
    );
    expect(() => settingsFromContext(context({ 'dashboard.oidcScopes': 'openid' }))).toThrow(SettingsError);
  });
});

describe('operations dashboard', () => {
  const [, dashboard] = resourcesOf(json, 'AWS::CloudWatch::Dashboard')[0] ?? [];
  const body = JSON.stringify(dashboard?.Properties?.DashboardBody);

  it('shows the state of every alarm', () => {
    for (const alarm of alarms.all())
      expect(body).toContain(`{"Fn::GetAtt":["${logicalId(stack, alarm)}","Arn"]}`);
  });

  it("graphs each tier's queue depth, in-flight count, oldest age and dead letters", () => {
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
      'NumberOfMessagesReceived',
    ])
      expect(body).toContain(metric);
    for (const tier of TIERS) {
      expect(body).toContain(`{"Fn::GetAtt":["${logicalId(stack, stack.queues.queues[tier])}","QueueName"]}`);
      expect(body).toContain(
        `{"Fn::GetAtt":["${logicalId(stack, stack.queues.deadLetterQueues[tier])}","QueueName"]}`,
      );
    }
  });

  it("graphs the functions' durations, errors and throttles, the stream lag and the API", () => {
    for (const text of ['Duration', 'p99', 'Errors', 'Throttles', 'IteratorAge', '5xx', 'Latency'])
      expect(body).toContain(text);
    expect(body).toContain(`{"Ref":"${logicalId(stack, stack.workers.worker)}"}`);
  });

  it('lays widgets out within the 24-column grid', () => {
    const layout = [...body.matchAll(/\\"width\\":(\d+),\\"height\\":\d+,\\"x\\":(\d+)/g)];
    expect(layout.length).toBeGreaterThan(15);
    for (const [, width, x] of layout) expect(Number(x) + Number(width)).toBeLessThanOrEqual(24);
  });
});
