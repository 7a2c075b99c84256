/**
 * Webhooks and their delivery log in the jobs table, in one partition per user:
 * - a webhook: `WEBHOOK#<user>` / `WH#<id>` (url, events, description, createdAt, the sealed secret);
 * - a delivery: `WEBHOOK#<user>` / `WHD#<webhookId>#<createdAt>#<deliveryId>`, newest first by a backwards
 *   query, expiring after `deliveryRetentionDays`.
 * None has `sk = JOB`, so neither stream consumer is invoked for them (infra/function-settings.ts filters).
 * Listing a user's webhooks is one query of their partition bounded to `WH#` keys; nothing scans.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Delivery, Webhook } from '../../core/webhooks/model.ts';
import type { DeliveryKey, WebhookStore } from '../../usecases/webhooks/ports.ts';

const partition = (userId: string) => `WEBHOOK#${userId}`;
const webhookSort = (id: string) => `WH#${id}`;
const deliveryPrefix = (webhookId: string) => `WHD#${webhookId}#`;
const deliverySort = (key: DeliveryKey) => `${deliveryPrefix(key.webhookId)}${key.createdAt}#${key.id}`;

export interface DynamoWebhookStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days a delivery stays in the log (its TTL). */
  deliveryRetentionDays: number;
}

export class DynamoWebhookStore implements WebhookStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retentionDays: number;

  constructor(options: DynamoWebhookStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionDays = options.deliveryRetentionDays;
  }

  async create(webhook: Webhook): Promise<void> {
    const { userId, id, ...rest } = webhook;
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: marshall(
          { pk: partition(userId), sk: webhookSort(id), id, userId, ...rest },
          { removeUndefinedValues: true },
        ),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(userId: string): Promise<Webhook[]> {
    const webhooks: Webhook[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: marshall({ ':pk': partition(userId), ':prefix': 'WH#' }),
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) webhooks.push(toWebhook(unmarshall(item)));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return webhooks;
  }

  async get(userId: string, id: string): Promise<Webhook | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: marshall({ pk: partition(userId), sk: webhookSort(id) }),
        ConsistentRead: true,
      }),
    );
    return Item ? toWebhook(unmarshall(Item)) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: partition(userId), sk: webhookSort(id) }),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async addDelivery(delivery: Delivery): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(delivery.createdAt) / 1000) + this.#retentionDays * 86400;
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: marshall(
            { pk: partition(delivery.userId), sk: deliverySort(delivery), ...delivery, expiresAt },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordAttempt(
    key: DeliveryKey,
    outcome: { attempt: number; status: Delivery['status']; responseStatus: number | null; at: string },
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: partition(key.userId), sk: deliverySort(key) }),
          UpdateExpression:
            'SET attempt = :attempt, #status = :status, responseStatus = :responseStatus, #at = :at',
          // A late, repeated attempt (a duplicate message) never undoes a delivered or failed outcome.
          ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
          ExpressionAttributeValues: marshall({
            ':attempt': outcome.attempt,
            ':status': outcome.status,
            ':responseStatus': outcome.responseStatus,
            ':at': outcome.at,
            ':pending': 'pending',
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listDeliveries(userId: string, webhookId: string, limit: number): Promise<Delivery[]> {
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: marshall({
          ':pk': partition(userId),
          ':prefix': deliveryPrefix(webhookId),
        }),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((item) => toDelivery(unmarshall(item)));
  }
}

function toWebhook(item: Record<string, unknown>): Webhook {
  return {
    id: String(item.id),
    userId: String(item.userId),
    url: String(item.url),
    events: item.events as Webhook['events'],
    description: typeof item.description === 'string' ? item.description : null,
    createdAt: String(item.createdAt),
    sealedSecret: String(item.sealedSecret),
  };
}

function toDelivery(item: Record<string, unknown>): Delivery {
  return {
    id: String(item.id),
    webhookId: String(item.webhookId),
    userId: String(item.userId),
    event: item.event as Delivery['event'],
    jobId: typeof item.jobId === 'string' ? item.jobId : null,
    attempt: Number(item.attempt ?? 0),
    status: item.status as Delivery['status'],
    responseStatus: typeof item.responseStatus === 'number' ? item.responseStatus : null,
    createdAt: String(item.createdAt),
    at: String(item.at),
  };
}
