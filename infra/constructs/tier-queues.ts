/**
 * The four tier queues (critical, high, normal, low), each a standard SQS queue with its own dead-letter
 * queue through a redrive policy. SQS-managed encryption and TLS-only access on all eight; the visibility
 * timeout is at least the worker timeout, with a small margin (queueDefaults in infra/resources.ts says why
 * it is not six times it).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { deadLetterQueueUrlEnvName, queueUrlEnvName } from '../env-names.ts';
import { queueDefaults } from '../resources.ts';

export interface TierQueuesProps {
  /** Receives before a message moves to its tier's DLQ. */
  maxReceiveCount: number;
  /** The timeout of the function consuming the queues; the visibility timeout is never below it. */
  consumerTimeout: Duration;
  /**
   * How long a message received from a dead-letter queue stays hidden: the maintenance run that reads them
   * deletes what it handled within it, and reads the rest again a run later.
   */
  deadLetterVisibilityTimeout: Duration;
  /** Applies to the dead-letter queues (the tier queues hold nothing worth keeping after the stack). */
  removalPolicy: RemovalPolicy;
}

export class TierQueues extends Construct {
  public readonly queues: Readonly<Record<Tier, Queue>>;
  public readonly deadLetterQueues: Readonly<Record<Tier, Queue>>;
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: TierQueuesProps) {
    super(scope, id);
    const visibilityTimeout = Duration.seconds(
      Math.max(queueDefaults.visibilityTimeoutSeconds, props.consumerTimeout.toSeconds()),
    );
    if (visibilityTimeout.toSeconds() > 12 * 60 * 60)
      throw new Error(`a visibility timeout of ${visibilityTimeout.toSeconds()} s is above SQS's 12 hours`);
    const queues = {} as Record<Tier, Queue>;
    const deadLetterQueues = {} as Record<Tier, Queue>;
    for (const tier of TIERS) {
      const name = tier.charAt(0).toUpperCase() + tier.slice(1);
      const deadLetterQueue = new Queue(this, `${name}DeadLetterQueue`, {
        visibilityTimeout: props.deadLetterVisibilityTimeout,
        retentionPeriod: Duration.days(queueDefaults.dlqRetentionDays),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: props.removalPolicy,
      });
      queues[tier] = new Queue(this, `${name}Queue`, {
        visibilityTimeout,
        retentionPeriod: Duration.days(queueDefaults.queueRetentionDays),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      });
      deadLetterQueues[tier] = deadLetterQueue;
    }
    this.queues = queues;
    this.deadLetterQueues = deadLetterQueues;
    this.maxReceiveCount = props.maxReceiveCount;
  }

  /** Tier queues with the env var each one's URL goes to. */
  queueEnv(): { tier: Tier; queue: IQueue; envName: string }[] {
    return TIERS.map((tier) => ({ tier, queue: this.queues[tier], envName: queueUrlEnvName(tier) }));
  }

  deadLetterQueueEnv(): { tier: Tier; queue: IQueue; envName: string }[] {
    return TIERS.map((tier) => ({
      tier,
      queue: this.deadLetterQueues[tier],
      envName: deadLetterQueueUrlEnvName(tier),
    }));
  }
}
