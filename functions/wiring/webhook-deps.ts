/** The webhook adapters of a deployed function, built once from its environment. */
import { DynamoWebhookStore } from '../adapters/dynamodb/webhook-store.ts';
import { SqsDeliveryQueue } from '../adapters/sqs/delivery-queue.ts';
import { AesGcmSealer, KmsSealer } from '../adapters/webhooks/secret-sealer.ts';
import { DnsTargetResolver } from '../adapters/webhooks/target-resolver.ts';
import type { SecretSealer } from '../usecases/webhooks/ports.ts';
import { jobsTableName, retentionDays } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';
import { sqsClient } from './sqs-client.ts';
import { allowLocalTargets, sealingConfig, webhookQueueUrl } from './webhooks-config.ts';

export const webhookStore = new DynamoWebhookStore({
  client: dynamoClient,
  tableName: jobsTableName(),
  deliveryRetentionDays: retentionDays(),
});

export const deliveryQueue = new SqsDeliveryQueue(sqsClient, { queueUrl: webhookQueueUrl() });

export const targetResolver = new DnsTargetResolver({ allowLocalTargets: allowLocalTargets() });

/** Only the functions that seal or open secrets (create, deliver) call this, so others need no key. */
export function secretSealer(): SecretSealer {
  const config = sealingConfig();
  return 'kmsKeyId' in config ? new KmsSealer(config.kmsKeyId) : new AesGcmSealer(config.localSecret);
}
