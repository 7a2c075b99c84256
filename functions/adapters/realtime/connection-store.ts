/**
 * The DynamoDB implementation of the ConnectionStore port (item layout in connection-item.ts). Reads that
 * decide what a client gets are strongly consistent. Every write is a single-item write (no transactions:
 * a transaction bills each item twice); where two items belong together, the order of the writes and a
 * read after them keep the guarantee a transaction gave (see `open` and `subscribe`).
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  Connection,
  ConnectionStore,
  Subscription,
  SubscriptionTarget,
} from '../../usecases/realtime/ports.ts';
import {
  backReferenceKey,
  CONNECTION_SK,
  connectionKey,
  connectionPk,
  fromConnectionItem,
  fromSubscriptionItem,
  isTargetPk,
  key,
  SUBSCRIPTION_PREFIX,
  subscriptionKey,
  targetPk,
  toBackReferenceItem,
  toConnectionItem,
  toSubscriptionItem,
  userConnectionKey,
  watchKey,
} from './connection-item.ts';

export interface DynamoConnectionStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

const BATCH_WRITE_LIMIT = 25;

export class DynamoConnectionStore implements ConnectionStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoConnectionStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  /**
   * The user's entry (counted by the connection quota) first, then the connection. Should the second put
   * fail, the entry is removed again (best effort: left behind, it over-counts until it expires, never
   * under-counts) and the error refuses the handshake.
   */
  async open(connection: Connection): Promise<void> {
    const { userId, connectionId, expiresAt } = connection;
    const entry = userConnectionKey(userId, connectionId);
    await this.#put(marshall({ ...entry, expiresAt }));
    try {
      await this.#put(toConnectionItem(connection));
    } catch (error) {
      await this.#batchDelete([entry]).catch(() => undefined);
      throw error;
    }
  }

  async get(connectionId: string): Promise<Connection | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: key(connectionKey(connectionId)),
        ConsistentRead: true,
      }),
    );
    return Item ? fromConnectionItem(Item) : null;
  }

  /** Subscriptions first (the notifier stops finding them), then the connection item itself. */
  async close(connectionId: string): Promise<void> {
    const owned = await this.#queryPartition(connectionPk(connectionId));
    const deletes: Array<{ pk: string; sk: string }> = [];
    for (const item of owned) {
      const sk = item.sk?.S ?? '';
      const userId = item.userId?.S;
      if (sk === CONNECTION_SK && userId) deletes.push(userConnectionKey(userId, connectionId));
      // The back-reference's sort key is the subscription's partition key, exactly as written.
      if (!isTargetPk(sk)) continue;
      deletes.push({ pk: sk, sk: connectionPk(connectionId) }, { pk: connectionPk(connectionId), sk });
    }
    await this.#batchDelete(deletes);
    await this.#client.send(
      new DeleteItemCommand({ TableName: this.#table, Key: key(connectionKey(connectionId)) }),
    );
  }

  /**
   * The subscription, then its back-reference (how `close` finds it), then a strongly consistent read of
   * the connection: when it is gone, both are removed again and the answer is false. This is the guarantee
   * the former transaction (a condition check on the connection with both puts) gave, at a third of its
   * write units: a `close` that ended before the read is seen; one that runs concurrently either finds the
   * back-reference or deletes the connection after the read, as it could after the transaction. Should a
   * subscription outlive its connection that way, the notifier's post finds it gone (410) and closes it,
   * which finds the back-reference (written after the subscription, so never missing while it exists).
   */
  async subscribe(subscription: Subscription): Promise<boolean> {
    const { target, connectionId } = subscription;
    await this.#put(toSubscriptionItem(subscription));
    try {
      await this.#put(toBackReferenceItem(subscription));
    } catch (error) {
      // Not left without its back-reference, where no `close` would find it.
      await this.#batchDelete([subscriptionKey(target, connectionId)]).catch(() => undefined);
      throw error;
    }
    if (await this.get(connectionId)) return true;
    await this.unsubscribe(target, connectionId);
    return false;
  }

  /** Precondition: the subscription exists. Writes state `ready` and the snapshot's seq (none for `all`). */
  async markReady(
    target: SubscriptionTarget,
    connectionId: string,
    snapshotSeq: number | null,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(subscriptionKey(target, connectionId)),
          UpdateExpression:
            snapshotSeq === null ? 'SET #state = :ready REMOVE #seq' : 'SET #state = :ready, #seq = :seq',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state', '#seq': 'snapshotSeq' },
          ExpressionAttributeValues: marshall({
            ':ready': 'ready',
            ...(snapshotSeq !== null && { ':seq': snapshotSeq }),
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async unsubscribe(target: SubscriptionTarget, connectionId: string): Promise<void> {
    await this.#batchDelete([subscriptionKey(target, connectionId), backReferenceKey(target, connectionId)]);
  }

  async subscribers(target: SubscriptionTarget): Promise<Subscription[]> {
    const items = await this.#queryPartition(targetPk(target));
    return items.map(fromSubscriptionItem).filter((s): s is Subscription => s !== null);
  }

  async subscription(target: SubscriptionTarget, connectionId: string): Promise<Subscription | null> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: key(subscriptionKey(target, connectionId)),
        ConsistentRead: true,
      }),
    );
    return Item ? fromSubscriptionItem(Item) : null;
  }

  async countUserConnections(userId: string, now: Date): Promise<number> {
    const { pk } = userConnectionKey(userId, '');
    return this.#count({
      KeyConditionExpression: 'pk = :pk',
      // A connection whose $disconnect never came stops counting when it expires.
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: marshall({ ':pk': pk, ':now': Math.floor(now.getTime() / 1000) }),
    });
  }

  async countSubscriptions(connectionId: string): Promise<number> {
    return this.#count({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: marshall({ ':pk': connectionPk(connectionId), ':sub': SUBSCRIPTION_PREFIX }),
    });
  }

  /**
   * Moves the user's mark to `untilSeconds` unless it is there already. An eventually consistent read comes
   * first (a mark only grows, so a stale one is at most too early and is then written): a user's further
   * subscriptions in the same stretch cost half a read unit instead of a write.
   */
  async watch(userId: string, untilSeconds: number): Promise<void> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: key(watchKey(userId)),
        ProjectionExpression: '#u',
        ExpressionAttributeNames: { '#u': 'until' },
      }),
    );
    if (Number(Item?.until?.N ?? 0) >= untilSeconds) return;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(watchKey(userId)),
          UpdateExpression: 'SET #u = :until, expiresAt = :until',
          ConditionExpression: 'attribute_not_exists(#u) OR #u < :until',
          ExpressionAttributeNames: { '#u': 'until' },
          ExpressionAttributeValues: marshall({ ':until': untilSeconds }),
        }),
      );
    } catch (error) {
      // Another subscription moved it as far or further meanwhile.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async watchedUntil(userId: string): Promise<number> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: key(watchKey(userId)), ConsistentRead: true }),
    );
    return Number(Item?.until?.N ?? 0);
  }

  async #put(item: Record<string, AttributeValue>): Promise<void> {
    await this.#client.send(new PutItemCommand({ TableName: this.#table, Item: item }));
  }

  async #count(query: Omit<QueryCommandInput, 'TableName'>): Promise<number> {
    let count = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          ...query,
          TableName: this.#table,
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** Every item of one partition, strongly consistent, following pages. */
  async #queryPartition(pk: string): Promise<Array<Record<string, AttributeValue>>> {
    const items: Array<Record<string, AttributeValue>> = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': pk }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** BatchWriteItem deletes, 25 at a time, retrying unprocessed ones with backoff. */
  async #batchDelete(keys: Array<{ pk: string; sk: string }>): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      let requests: WriteRequest[] = keys
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((k) => ({ DeleteRequest: { Key: key(k) } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
        const result = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
        );
        requests = result.UnprocessedItems?.[this.#table] ?? [];
      }
    }
  }
}
