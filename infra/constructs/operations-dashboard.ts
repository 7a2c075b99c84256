/**
 * A CloudWatch dashboard of the queue as AWS sees it: the alarms' states, then per tier the messages
 * waiting, in flight and dead-lettered and the age of the oldest one, the functions' invocations, errors,
 * throttles and durations, the stream consumers' lag, and the HTTP API's traffic, errors and latency.
 * The job metrics (jobs submitted, completed, failed... per tier, published in EMF by Powertools Metrics)
 * are the "Jobs" row the stack adds through addSection (infra/constructs/job-metrics.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TIERS } from '../../functions/core/tiers.ts';
import type { JobQueueAlarms } from './alarms.ts';
import type { TierQueues } from './tier-queues.ts';

const MINUTE = Duration.minutes(1);
const FULL_WIDTH = 24;
const THIRD = 8;
const HEIGHT = 6;

export interface OperationsDashboardProps {
  queues: TierQueues;
  /** Shown in an alarm status widget on top; none when the stack has its alarms switched off. */
  alarms?: JobQueueAlarms;
  /** The functions shown, by name (the same the alarms watch). */
  functions: Record<string, IFunction>;
  streamConsumers: Record<string, IFunction>;
  httpApi: IHttpApi;
}

export class OperationsDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { queues } = props;
    const perTier = (metric: (tier: (typeof TIERS)[number]) => IMetric) => TIERS.map(metric);
    const perFunction = (
      functions: Record<string, IFunction>,
      metric: (fn: IFunction, label: string) => IMetric,
    ) => Object.entries(functions).map(([name, fn]) => metric(fn, name));
    const graph = (title: string, left: IMetric[], width = THIRD) =>
      new GraphWidget({ title, left, width, height: HEIGHT });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    if (props.alarms)
      this.dashboard.addWidgets(
        new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms.all(), width: FULL_WIDTH, height: 4 }),
      );

    this.addSection('Queues', [
      graph(
        'Waiting (visible messages)',
        perTier((tier) =>
          queues.queues[tier].metricApproximateNumberOfMessagesVisible({
            label: tier,
            period: MINUTE,
            statistic: 'Maximum',
          }),
        ),
      ),
      graph(
        'In flight or delayed (not visible)',
        perTier((tier) =>
          queues.queues[tier].metricApproximateNumberOfMessagesNotVisible({
            label: tier,
            period: MINUTE,
            statistic: 'Maximum',
          }),
        ),
      ),
      graph(
        'Oldest message age (s)',
        perTier((tier) =>
          queues.queues[tier].metricApproximateAgeOfOldestMessage({
            label: tier,
            period: MINUTE,
            statistic: 'Maximum',
          }),
        ),
      ),
      graph(
        'Dead-letter queues: received',
        perTier((tier) =>
          queues.deadLetterQueues[tier].metricNumberOfMessagesReceived({
            label: tier,
            period: MINUTE,
            statistic: 'Sum',
          }),
        ),
      ),
      graph(
        'Dead-letter queues: waiting',
        perTier((tier) =>
          queues.deadLetterQueues[tier].metricApproximateNumberOfMessagesVisible({
            label: tier,
            period: MINUTE,
            statistic: 'Maximum',
          }),
        ),
      ),
      graph(
        'Messages sent',
        perTier((tier) =>
          queues.queues[tier].metricNumberOfMessagesSent({ label: tier, period: MINUTE, statistic: 'Sum' }),
        ),
      ),
    ]);

    this.addSection('Functions', [
      graph(
        'Invocations',
        perFunction(props.functions, (fn, label) => fn.metricInvocations({ label, period: MINUTE })),
      ),
      graph(
        'Errors',
        perFunction(props.functions, (fn, label) => fn.metricErrors({ label, period: MINUTE })),
      ),
      graph(
        'Throttles',
        perFunction(props.functions, (fn, label) => fn.metricThrottles({ label, period: MINUTE })),
      ),
      graph(
        'Duration p50 (ms)',
        perFunction(props.functions, (fn, label) =>
          fn.metricDuration({ label, period: MINUTE, statistic: 'p50' }),
        ),
      ),
      graph(
        'Duration p99 (ms)',
        perFunction(props.functions, (fn, label) =>
          fn.metricDuration({ label, period: MINUTE, statistic: 'p99' }),
        ),
      ),
      graph(
        'Stream consumers: iterator age (ms)',
        perFunction(props.streamConsumers, (fn, label) =>
          fn.metric('IteratorAge', { label, period: MINUTE, statistic: 'Maximum' }),
        ),
      ),
    ]);

    const api = props.httpApi;
    this.addSection('HTTP API', [
      graph('Requests', [api.metricCount({ label: 'requests', period: MINUTE, statistic: 'Sum' })]),
      graph('Errors', [
        api.metricClientError({ label: '4xx', period: MINUTE }),
        api.metricServerError({ label: '5xx', period: MINUTE }),
      ]),
      graph('Latency (ms)', [
        api.metricLatency({ label: 'p50', period: MINUTE, statistic: 'p50' }),
        api.metricLatency({ label: 'p99', period: MINUTE, statistic: 'p99' }),
        api.metricIntegrationLatency({ label: 'integration p99', period: MINUTE, statistic: 'p99' }),
      ]),
    ]);
  }

  /** A titled row of widgets, appended below the others (the job metrics come this way). */
  addSection(title: string, widgets: IWidget[]): void {
    this.dashboard.addWidgets(new TextWidget({ markdown: `## ${title}`, width: FULL_WIDTH, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }
}
