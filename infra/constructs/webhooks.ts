/**
 * Webhook notifications: the delivery queue and its dead-letter queue (SQS-managed encryption, TLS only),
 * the KMS key that seals webhook secrets, and the delivery function on the queue (partial batch failures;
 * the queue's visibility timeout carries the retry delays). It also gives the functions that take part
 * exactly what they use:
 * - the jobs-stream consumer sends deliveries (usecases/webhooks/job-events.ts);
 * - POST /webhooks seals a new secret (kms:Encrypt), POST /webhooks/{id}/test sends one delivery;
 * - the delivery function consumes the queue, moves given-up deliveries to the DLQ, opens secrets
 *   (kms:Decrypt) and updates the delivery log.
 * Every webhook route handler gets the queue URL (functions/wiring/webhook-deps.ts reads it at load).
 * The delivery function's event source mapping is created disabled and runs only while some webhook
 * exists (README "Webhooks"): POST /webhooks enables it, DELETE /webhooks/{id} disables it after the last
 * one, and the every-minute maintenance run reconciles it. Those three functions learn its UUID
 * (WEBHOOK_EVENT_SOURCE_MAPPING), may read and update exactly that mapping, and may Scan exactly the
 * jobs table's `byWebhook` index (one entry per webhook: "is any registered?").
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_ENV } from '../../functions/wiring/webhooks-config.ts';
import { webhookDeliveryEventSource, webhookQueueDefaults } from '../webhook-settings.ts';
import { bindJobs, grantEventSourceSwitch, type JobsBinding } from './bindings.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';

/** The webhook route handlers (functions/api/webhook-routes.ts) and what each needs beyond the table. */
const ROUTE_NEEDS: Record<string, { send?: true; seal?: true; switchDeliveries?: true }> = {
  'create-webhook': { seal: true, switchDeliveries: true },
  'list-webhooks': {},
  'delete-webhook': { switchDeliveries: true },
  'test-webhook': { send: true },
  'list-webhook-deliveries': {},
};

export interface WebhooksProps {
  defaults: FunctionDefaults;
  jobs: JobsBinding;
  /** The HTTP API's handlers by module; the webhook ones are bound here. */
  apiHandlers: ReadonlyMap<string, JobFunction>;
  /** The jobs-stream consumer (functions/handlers/stream.ts). */
  streamConsumer: JobFunction;
  /** The every-minute maintenance run, which reconciles the delivery event source. */
  maintenance: JobFunction;
  removalPolicy: RemovalPolicy;
}

export class Webhooks extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly secretsKey: Key;
  public readonly deliveryFunction: JobFunction;
  /** Created disabled; on only while some webhook exists. */
  public readonly deliveryEventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    this.secretsKey = new Key(this, 'SecretsKey', {
      description: 'Seals the signing secrets of the job queue webhooks',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = new Queue(this, 'DeliveryDeadLetterQueue', {
      retentionPeriod: Duration.days(webhookQueueDefaults.dlqRetentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(this, 'DeliveryQueue', {
      visibilityTimeout: Duration.seconds(webhookQueueDefaults.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(webhookQueueDefaults.retentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: webhookQueueDefaults.maxReceiveCount },
    });

    this.deliveryFunction = new JobFunction(this, 'Delivery', {
      module: webhookDeliveryEventSource.module,
      defaults: props.defaults,
    });
    const delivery = this.deliveryFunction;
    bindJobs(delivery, props.jobs, 'readWrite');
    this.bindQueue(delivery);
    this.queue.grantConsumeMessages(delivery);
    delivery.addEnvironment(WEBHOOK_ENV.deadLetterQueueUrl, this.deadLetterQueue.queueUrl);
    this.deadLetterQueue.grantSendMessages(delivery);
    this.bindKey(delivery, 'kms:Decrypt');
    this.deliveryEventSource = new SqsEventSource(this.queue, {
      batchSize: webhookDeliveryEventSource.batchSize,
      reportBatchItemFailures: webhookDeliveryEventSource.reportBatchItemFailures,
      maxConcurrency: webhookDeliveryEventSource.maxConcurrency,
      // No idle polls while no webhook exists; a redeploy that resets it is repaired within a minute.
      enabled: webhookDeliveryEventSource.enabled,
    });
    delivery.addEventSource(this.deliveryEventSource);

    this.bindQueue(props.streamConsumer);
    this.queue.grantSendMessages(props.streamConsumer);
    for (const [module, needs] of Object.entries(ROUTE_NEEDS)) {
      const handler = props.apiHandlers.get(module);
      if (!handler) continue;
      this.bindQueue(handler);
      if (needs.send) this.queue.grantSendMessages(handler);
      if (needs.seal) this.bindKey(handler, 'kms:Encrypt');
      if (needs.switchDeliveries) this.bindDeliverySwitch(handler, props.jobs);
    }
    this.bindDeliverySwitch(props.maintenance, props.jobs);
  }

  /** Read and switch the delivery event source, and ask whether any webhook exists. */
  private bindDeliverySwitch(fn: JobFunction, jobs: JobsBinding): void {
    fn.addEnvironment(WEBHOOK_ENV.eventSourceMapping, this.deliveryEventSource.eventSourceMappingId);
    grantEventSourceSwitch(fn, [this.deliveryEventSource], { readState: true });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Scan'],
        resources: [`${jobs.table.tableArn}/index/byWebhook`],
      }),
    );
  }

  private bindQueue(fn: JobFunction): void {
    fn.addEnvironment(WEBHOOK_ENV.queueUrl, this.queue.queueUrl);
  }

  /** One KMS action on this key only (grantEncrypt would add re-encryption and data-key actions the code never calls). */
  private bindKey(fn: JobFunction, action: 'kms:Encrypt' | 'kms:Decrypt'): void {
    fn.addEnvironment(WEBHOOK_ENV.kmsKeyId, this.secretsKey.keyArn);
    this.secretsKey.grant(fn, action);
  }
}
