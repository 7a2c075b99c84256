/**
 * Creates the tables, the tier queues (with their dead-letter queues) and the payload bucket on the local
 * emulators from the same definitions the CDK stack uses (infra/resources.ts). Idempotent: existing
 * resources are kept.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterVisibilityTimeoutSeconds } from '../../infra/function-settings.ts';
import {
  deadLetterQueueName,
  payloadBucketName,
  queueDefaults,
  queueName,
  streamFailuresQueueName,
  type TableDefinition,
  TIERS,
  tables,
} from '../../infra/resources.ts';
import type { Tier } from '../core/tiers.ts';
import { type LocalWebhookQueues, provisionWebhookQueues } from './webhook-queues.ts';

export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const keyNames = new Map<string, 'S' | 'N'>();
  const add = (key: { name: string; type: 'S' | 'N' }) => keyNames.set(key.name, key.type);
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ],
    ...(definition.globalSecondaryIndexes.length > 0 && {
      GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection:
          index.projection.type === 'INCLUDE'
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projection.attributes }
            : { ProjectionType: 'KEYS_ONLY' },
      })),
    }),
    ...(definition.stream && {
      StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
    }),
  };
}

export const localTableName = (prefix: string, definition: TableDefinition) => `${prefix}-${definition.id}`;

export async function provisionTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const definition of tables) {
    const tableName = localTableName(prefix, definition);
    names[definition.id] = tableName;
    try {
      await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
      await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(client, definition, tableName);
    }
  }
  return names;
}

/**
 * A table kept from an earlier run (`npm start` with a data directory) gets the indexes added since, one per
 * UpdateTable as DynamoDB requires. Items written before carry no key for a new index until they change.
 */
async function addMissingIndexes(client: DynamoDBClient, definition: TableDefinition, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const input = createTableInput(definition, tableName);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

export interface LocalQueues {
  urls: Record<Tier, string>;
  arns: Record<Tier, string>;
  deadLetterUrls: Record<Tier, string>;
  deadLetterArns: Record<Tier, string>;
  /** The stream consumer's on-failure destination. */
  streamFailuresUrl: string;
  /** The webhook delivery queue and its DLQ. */
  webhooks: LocalWebhookQueues;
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${url} has no ARN`);
  return Attributes.QueueArn;
}

export async function provisionQueues(
  client: SQSClient,
  prefix: string,
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<LocalQueues> {
  const result = { urls: {}, arns: {}, deadLetterUrls: {}, deadLetterArns: {} } as LocalQueues;
  const failures = await client.send(
    new CreateQueueCommand({
      QueueName: streamFailuresQueueName(prefix),
      Attributes: { MessageRetentionPeriod: String(queueDefaults.dlqRetentionDays * 86400) },
    }),
  );
  result.streamFailuresUrl = failures.QueueUrl as string;
  result.webhooks = await provisionWebhookQueues(client, prefix);
  for (const tier of TIERS) {
    const dlq = await client.send(
      new CreateQueueCommand({
        QueueName: deadLetterQueueName(prefix, tier),
        Attributes: {
          MessageRetentionPeriod: String(queueDefaults.dlqRetentionDays * 86400),
          VisibilityTimeout: String(deadLetterVisibilityTimeoutSeconds),
        },
      }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const dlqArn = await queueArn(client, dlqUrl);
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: queueName(prefix, tier),
        Attributes: {
          VisibilityTimeout: String(
            options.visibilityTimeoutSeconds ?? queueDefaults.visibilityTimeoutSeconds,
          ),
          MessageRetentionPeriod: String(queueDefaults.queueRetentionDays * 86400),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: options.maxReceiveCount ?? queueDefaults.maxReceiveCount,
          }),
        },
      }),
    );
    const url = queue.QueueUrl as string;
    result.urls[tier] = url;
    result.arns[tier] = await queueArn(client, url);
    result.deadLetterUrls[tier] = dlqUrl;
    result.deadLetterArns[tier] = dlqArn;
  }
  return result;
}

/**
 * The payload bucket (infra/resources.ts payloadBucket). The emulator keeps an existing bucket as it is;
 * it has no lifecycle rules (locally, cleanup alone removes objects).
 */
export async function provisionPayloadBucket(client: S3Client, prefix: string): Promise<string> {
  const bucket = payloadBucketName(prefix);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
