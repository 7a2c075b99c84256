/**
 * The webhook delivery queue and its dead-letter queue on the local SQS emulator, from the definitions the
 * CDK construct uses (infra/webhook-settings.ts). Idempotent like provision.ts.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  webhookDeadLetterQueueName,
  webhookQueueDefaults,
  webhookQueueName,
} from '../../infra/webhook-settings.ts';

export interface LocalWebhookQueues {
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${url} has no ARN`);
  return Attributes.QueueArn;
}

export async function provisionWebhookQueues(sqs: SQSClient, prefix: string): Promise<LocalWebhookQueues> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: webhookDeadLetterQueueName(prefix),
      Attributes: { MessageRetentionPeriod: String(webhookQueueDefaults.dlqRetentionDays * 86400) },
    }),
  );
  const deadLetterUrl = dlq.QueueUrl as string;
  const deadLetterArn = await arnOf(sqs, deadLetterUrl);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: webhookQueueName(prefix),
      Attributes: {
        VisibilityTimeout: String(webhookQueueDefaults.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(webhookQueueDefaults.retentionDays * 86400),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: webhookQueueDefaults.maxReceiveCount,
        }),
      },
    }),
  );
  const url = queue.QueueUrl as string;
  return { url, arn: await arnOf(sqs, url), deadLetterUrl, deadLetterArn };
}
