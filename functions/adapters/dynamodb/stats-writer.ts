/**
 * Applies stream batches of job changes to the counter and rollup items, exactly once per record.
 *
 * Records are summed (stats-aggregate.ts) and written in ONE transaction per chunk: an `ADD` per touched
 * item plus a marker item `STATS#MARK#<eventID of the chunk's first record>` holding the chunk's last
 * sequence number, put only if it does not exist. A chunk holds as many records as fit in a transaction
 * (100 items, the marker included); normally a whole batch is one chunk.
 *
 * Why this is exactly once: the stream consumer commits only records it acknowledges, and an event source
 * redelivers a shard from the first record it has not acknowledged (after a reported failure) or from the
 * same first record again (after a timeout or crash, batch retried as a whole; the mapping does not bisect).
 * A redelivery that starts at an already-committed chunk finds that chunk's marker (the Put's condition
 * fails), skips the records up to the marker's sequence number (sequence numbers grow within a shard, and
 * one invocation reads one shard) and goes on with the rest, looking for the next chunk's marker in turn.
 * Markers expire after two days (stream records live 24 h).
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Clock } from '../../core/clock.ts';
import type { StatsRecorder, StreamChange } from '../../usecases/aggregate-stats.ts';
import { type ItemDelta, StatsAggregate } from './stats-aggregate.ts';

type CountedRecord = StreamChange;

/** DynamoDB's limit of items in one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;
const MARKER_TTL_SECONDS = 2 * 86400;
const MAX_CONFLICT_RETRIES = 8;

export const markerKey = (eventId: string) => ({ pk: `STATS#MARK#${eventId}`, sk: 'MARK' });

const newer = (sequenceNumber: string, than: string): boolean => BigInt(sequenceNumber) > BigInt(than);

export class DynamoStatsWriter implements StatsRecorder {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: { client: DynamoDBClient; tableName: string; clock: Clock }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock;
  }

  /**
   * Commits the records (of one shard, in stream order) chunk by chunk. Throws `StatsChunkError` naming the
   * first record not committed when a chunk fails: the consumer reports it, and the retry starts there.
   */
  async apply(records: CountedRecord[]): Promise<{ chunks: number; skipped: number }> {
    let pending = records;
    let chunks = 0;
    let skipped = 0;
    while (pending.length > 0) {
      const chunk = this.#nextChunk(pending);
      const first = chunk.records[0] as CountedRecord;
      const last = chunk.records.at(-1) as CountedRecord;
      const writes = chunk.aggregate.writes();
      if (writes.length === 0) {
        // Nothing to count (heartbeats, progress, changes that cancel out): no write, and nothing a
        // redelivery could double.
        pending = pending.slice(chunk.records.length);
        continue;
      }
      const committed = await this.#commit(writes, first, last).catch((error: unknown) => {
        throw new StatsChunkError(first.sequenceNumber, error);
      });
      if (committed === true) {
        chunks += 1;
        pending = pending.slice(chunk.records.length);
      } else {
        // Already committed by an earlier delivery, up to `committed`: skip those records.
        const rest = pending.filter((record) => newer(record.sequenceNumber, committed));
        skipped += pending.length - rest.length;
        if (rest.length === pending.length)
          throw new StatsChunkError(first.sequenceNumber, 'marker not behind');
        pending = rest;
      }
    }
    return { chunks, skipped };
  }

  /** The longest prefix of `records` whose items (and the marker) fit in one transaction. */
  #nextChunk(records: CountedRecord[]): { records: CountedRecord[]; aggregate: StatsAggregate } {
    const now = this.#clock.now().getTime();
    const aggregate = new StatsAggregate();
    let count = 0;
    for (const record of records) {
      const keys = StatsAggregate.keysOf(record, now);
      const added = keys.filter((key) => !aggregate.items.has(key)).length;
      if (count > 0 && aggregate.size + added > MAX_TRANSACTION_ITEMS - 1) break;
      aggregate.add(record, now);
      count += 1;
    }
    return { records: records.slice(0, count), aggregate };
  }

  /** true: committed; a sequence number: an earlier delivery committed this chunk's start up to it. */
  async #commit(writes: ItemDelta[], first: CountedRecord, last: CountedRecord): Promise<true | string> {
    const expiresAt = Math.floor(this.#clock.now().getTime() / 1000) + MARKER_TTL_SECONDS;
    const items: TransactWriteItem[] = writes.map((item) => ({
      Update: this.#update(item),
    }));
    items.push({
      Put: {
        TableName: this.#table,
        Item: marshall({ ...markerKey(first.eventId), last: last.sequenceNumber, expiresAt }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') return this.#markedUpTo(first.eventId);
        const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (!conflict || attempt >= MAX_CONFLICT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
    }
  }

  async #markedUpTo(eventId: string): Promise<string> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: marshall(markerKey(eventId)), ConsistentRead: true }),
    );
    const last = Item?.last?.S;
    if (!last) throw new Error(`stats marker ${eventId} vanished`);
    return last;
  }

  #update(item: ItemDelta) {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = Object.entries(item.add).map(([name, value], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      return `#a${i} :a${i}`;
    });
    let expression = adds.length > 0 ? `ADD ${adds.join(', ')}` : '';
    if (item.expiresAt !== undefined) {
      names['#exp'] = 'expiresAt';
      values[':exp'] = item.expiresAt;
      expression += ' SET #exp = :exp';
    }
    return {
      TableName: this.#table,
      Key: marshall(item.key),
      UpdateExpression: expression.trim(),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values),
    };
  }
}

/** A chunk of a batch could not be committed; the stream retries from `sequenceNumber`. */
export class StatsChunkError extends Error {
  override readonly name = 'StatsChunkError';
  readonly code = 'stats_chunk_failed';
  constructor(
    readonly sequenceNumber: string,
    override readonly cause: unknown,
  ) {
    super(`statistics not committed from stream record ${sequenceNumber}`);
  }
}
