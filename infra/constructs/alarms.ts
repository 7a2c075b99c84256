/**
 * CloudWatch alarms on what needs a person: jobs reaching a dead-letter queue, a tier whose oldest message
 * waits too long, functions that fail or are throttled, stream consumers falling behind, HTTP API 5xx, and a
 * burst of jobs recovered from lost workers (the StaleRecoveries job metric, infra/constructs/job-metrics.ts).
 * With `alarmEmail` they notify an SNS topic with that address subscribed (alarm and recovery both);
 * without it there is no topic and the alarms show in the console and on the operations dashboard only.
 * Missing data is never a breach: an idle queue or function publishes nothing.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import type { ResolvedAlarmSettings } from '../alarm-settings.ts';
import { allTiers } from './job-metrics.ts';
import type { TierQueues } from './tier-queues.ts';

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export interface JobQueueAlarmsProps {
  settings: ResolvedAlarmSettings;
  queues: TierQueues;
  /** Functions whose errors and throttles page someone, by the name the alarm shows. */
  functions: Record<string, IFunction>;
  /** Functions fed by the jobs table's stream, by name: their IteratorAge is watched. */
  streamConsumers: Record<string, IFunction>;
  httpApi: IHttpApi;
  /** The `service` dimension of the job metrics (infra/constructs/job-metrics.ts). */
  jobMetricsService: string;
}

export class JobQueueAlarms extends Construct {
  /** The alarms' SNS topic, only with an alarm e-mail. */
  public readonly topic?: Topic;
  /** Per tier: messages in (or just received from) its dead-letter queue. */
  public readonly deadLetters: Readonly<Record<Tier, Alarm>>;
  /** Per tier: the oldest message waiting longer than its threshold. */
  public readonly oldestMessage: Readonly<Record<Tier, Alarm>>;
  public readonly errors: Readonly<Record<string, Alarm>>;
  public readonly throttles: Readonly<Record<string, Alarm>>;
  public readonly iteratorAge: Readonly<Record<string, Alarm>>;
  public readonly api5xx: Alarm;
  /** Jobs recovered from lost workers, all tiers, in five minutes. */
  public readonly staleRecoveries: Alarm;

  constructor(scope: Construct, id: string, props: JobQueueAlarmsProps) {
    super(scope, id);
    const { settings, queues } = props;
    const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

    this.deadLetters = byTier((tier) => {
      const dlq = queues.deadLetterQueues[tier];
      // The every-minute maintenance run marks a job dead and deletes its message, so a DLQ is seldom
      // non-empty for long: messages received from it count as well (each is a job that just went dead).
      const metric = new MathExpression({
        expression: 'FILL(visible, 0) + FILL(received, 0)',
        usingMetrics: {
          visible: dlq.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
          received: dlq.metricNumberOfMessagesReceived({ period: MINUTE, statistic: 'Sum' }),
        },
        label: `${tier} dead letters`,
        period: MINUTE,
      });
      return this.alarm(`${pascal(tier)}DeadLetters`, metric, {
        description: `Jobs of the ${tier} tier reached its dead-letter queue (their worker kept crashing or timing out): see GET /admin/dead and redrive.`,
        threshold: 0,
        evaluationPeriods: 1,
      });
    });

    this.oldestMessage = byTier((tier) => {
      const seconds = settings.oldestMessageSeconds[tier];
      const metric = queues.queues[tier].metricApproximateAgeOfOldestMessage({
        period: MINUTE,
        statistic: 'Maximum',
      });
      return this.alarm(`${pascal(tier)}OldestMessage`, metric, {
        description: `A ${tier} job has waited over ${seconds} s for five minutes: workers are saturated, failing, or the tier is paused.`,
        threshold: seconds,
        evaluationPeriods: 5,
      });
    });

    const errors: Record<string, Alarm> = {};
    const throttles: Record<string, Alarm> = {};
    for (const [name, fn] of Object.entries(props.functions)) {
      errors[name] = this.alarm(
        `${pascal(name)}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        {
          description: `The ${name} function failed (an exception, a timeout or out of memory), not a job failing: see its logs.`,
          threshold: 0,
          evaluationPeriods: 1,
        },
      );
      throttles[name] = this.alarm(
        `${pascal(name)}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        {
          description: `The ${name} function was throttled: its reserved concurrency or the account's is exhausted.`,
          threshold: 0,
          evaluationPeriods: 1,
        },
      );
    }
    this.errors = errors;
    this.throttles = throttles;

    const iteratorAge: Record<string, Alarm> = {};
    for (const [name, fn] of Object.entries(props.streamConsumers))
      iteratorAge[name] = this.alarm(
        `${pascal(name)}IteratorAge`,
        fn.metric('IteratorAge', { period: MINUTE, statistic: 'Maximum' }),
        {
          description: `The ${name} stream consumer is over ${settings.iteratorAgeSeconds} s behind the jobs table's stream for three of five minutes.`,
          threshold: settings.iteratorAgeSeconds * 1000,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
        },
      );
    this.iteratorAge = iteratorAge;

    this.api5xx = this.alarm(
      'Api5xx',
      props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      {
        description: `The HTTP API answered ${settings.api5xxPerFiveMinutes} or more 5xx in five minutes.`,
        threshold: settings.api5xxPerFiveMinutes,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );

    this.staleRecoveries = this.alarm(
      'StaleRecoveries',
      allTiers(props.jobMetricsService, 'staleRecoveries', FIVE_MINUTES, 'stale recoveries'),
      {
        description: `${settings.staleRecoveriesPerFiveMinutes} or more jobs lost their worker in five minutes (heartbeat stale or message back while running): workers crash, run out of memory or time out; see the worker's logs.`,
        threshold: settings.staleRecoveriesPerFiveMinutes,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );

    if (settings.email) {
      this.topic = new Topic(this, 'Topic', { displayName: 'Job queue alarms', enforceSSL: true });
      this.topic.addSubscription(new EmailSubscription(settings.email));
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states only, no job data; CloudWatch cannot publish with the AWS-managed SNS key, and a customer-managed key would cost $1 a month for them.',
      });
      const action = new SnsAction(this.topic);
      for (const alarm of this.all()) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  /** Every alarm, for actions and the dashboard's alarm status widget. */
  all(): Alarm[] {
    return [
      ...Object.values(this.deadLetters),
      ...Object.values(this.oldestMessage),
      ...Object.values(this.errors),
      ...Object.values(this.throttles),
      ...Object.values(this.iteratorAge),
      this.api5xx,
      this.staleRecoveries,
    ];
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: {
      description: string;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      comparisonOperator?: ComparisonOperator;
    },
  ): Alarm {
    return new Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      ...(options.datapointsToAlarm && { datapointsToAlarm: options.datapointsToAlarm }),
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

function byTier(make: (tier: Tier) => Alarm): Record<Tier, Alarm> {
  return Object.fromEntries(TIERS.map((tier) => [tier, make(tier)])) as Record<Tier, Alarm>;
}
