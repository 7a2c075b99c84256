/**
 * The DynamoDB implementation of the ScheduleStore port. Every write is one conditional PutItem (a new id,
 * or the version read); due schedules come from the sparse `byDue` index (keys only), each then read
 * strongly consistent by key. No scans.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Page } from '../../core/ports.ts';
import type { Schedule } from '../../core/schedule.ts';
import type { ScheduleStore } from '../../core/schedule-ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { userKey } from './job-item.ts';
import { DUE_PARTITION, fromScheduleItem, scheduleKey, toScheduleItem } from './schedule-item.ts';

export interface DynamoScheduleStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoScheduleStore implements ScheduleStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoScheduleStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async create(schedule: Schedule): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: toScheduleItem(schedule),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(userId: string, id: string): Promise<Schedule | null> {
    return this.#getByKey(marshall(scheduleKey(userId, id)));
  }

  async listByUser(
    userId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Schedule>> {
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': userKey(userId) }),
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, { name: 'pk', value: userKey(userId) }),
      }),
    );
    return {
      items: (page.Items ?? []).map(fromScheduleItem),
      nextCursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  async replace(next: Schedule, expectedVersion: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toScheduleItem({ ...next, version: expectedVersion + 1 }),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: marshall({ ':version': expectedVersion }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const { Attributes } = await this.#client.send(
      new DeleteItemCommand({
        TableName: this.#table,
        Key: marshall(scheduleKey(userId, id)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }

  async listDue(
    until: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Schedule>> {
    const page = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'byDue',
        // `~` sorts after every id character: every entry due at `until` itself is included.
        KeyConditionExpression: 'dueKey = :due AND dueAtKey <= :until',
        ExpressionAttributeValues: marshall({ ':due': DUE_PARTITION, ':until': `${until}#~` }),
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, { name: 'dueKey', value: DUE_PARTITION }),
      }),
    );
    // The index is eventually consistent: each schedule is read again, and only the still-due are kept.
    const schedules = await Promise.all(
      (page.Items ?? []).map((keys) =>
        this.#getByKey({ pk: keys.pk, sk: keys.sk } as Record<string, AttributeValue>),
      ),
    );
    return {
      items: schedules.filter(
        (schedule): schedule is Schedule =>
          schedule !== null && !schedule.paused && schedule.nextRunAt !== null && schedule.nextRunAt <= until,
      ),
      nextCursor: encodeCursor(page.LastEvaluatedKey),
    };
  }

  async #getByKey(key: Record<string, AttributeValue>): Promise<Schedule | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return Item ? fromScheduleItem(Item) : null;
  }
}
