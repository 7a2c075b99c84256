/**
 * DynamoDB billing by AWS's documented rules (../shared/AWS-FACTS.md "DynamoDB billing"), from the item
 * images a write leaves before and after it, so the bench does not depend on DynamoDB Local's figures:
 * - item size: attribute names + values (strings as UTF-8, numbers ~1 byte per 2 digits + 1, 3 bytes per
 *   map or list + 1 per element);
 * - a write: 1 WRU per started KB of the larger of the old and new item, ×2 inside a transaction;
 * - each global secondary index (infra/resources.ts) whose key or projected attributes the write changes:
 *   a put of the new entry, and a delete of the old one when its key changed (or the item left the
 *   index), each ≥ 1 WRU, an entry being the table key + index key + projected attributes + 100 bytes.
 *   Index writes are not doubled in transactions (AWS propagates them outside the transaction);
 * - reads: per 4 KB started, 0.5 RRU eventually consistent, 1 strongly, 2 in a transaction; GetItem and
 *   BatchGetItem round each item up, Query/Scan the sum of the items read; at least one unit per request.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type IndexDefinition, type TableDefinition, tables } from '../../infra/resources.ts';

export type Item = Record<string, AttributeValue>;

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
    return Math.ceil(digits.length / 2) + 1;
  }
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M)
    return 3 + Object.entries(value.M).reduce((s, [k, v]) => s + Buffer.byteLength(k) + valueBytes(v) + 1, 0);
  if (value.L) return 3 + value.L.reduce((s, v) => s + valueBytes(v) + 1, 0);
  if (value.SS) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((s, v) => s + valueBytes({ N: v }), 0);
  return 0;
}

/** The size DynamoDB bills an item (or a subset of its attributes) by. */
export function itemBytes(item: Item, names: Iterable<string> = Object.keys(item)): number {
  let bytes = 0;
  for (const name of names) {
    const value = item[name];
    if (value) bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

/** The table definition of a deployed or local table name (`<prefix>-Jobs`). */
export const tableOf = (tableName: string): TableDefinition | undefined =>
  tables.find((table) => tableName === table.id || tableName.endsWith(`-${table.id}`));

const started = (bytes: number, unit: number) => Math.max(1, Math.ceil(bytes / unit));
const scalar = (value: AttributeValue | undefined) => value?.S ?? value?.N;

function indexAttributes(table: TableDefinition, index: IndexDefinition): string[] {
  const keys = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey].map((key) => key.name);
  return index.projection.type === 'INCLUDE' ? [...keys, ...index.projection.attributes] : keys;
}

const inIndex = (item: Item | undefined, index: IndexDefinition): item is Item =>
  item?.[index.partitionKey.name] !== undefined && item[index.sortKey.name] !== undefined;

/** A write of one partition: for the hot-key figures of the scale envelope. */
export interface PartitionWrite {
  /** `<table or index> <partition key value>`. */
  partition: string;
  units: number;
}

export interface WriteCharge {
  tableUnits: number;
  indexUnits: number;
  partitions: PartitionWrite[];
}

/** What one item write costs (Put, Update or Delete; `after` undefined for a delete). */
export function priceWrite(
  tableName: string,
  before: Item | undefined,
  after: Item | undefined,
  transactional: boolean,
): WriteCharge {
  const table = tableOf(tableName);
  const size = Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0);
  const tableUnits = started(size, 1024) * (transactional ? 2 : 1);
  const pk = table?.partitionKey.name ?? 'pk';
  const partitions: PartitionWrite[] = [
    { partition: `${table?.id ?? tableName} ${scalar((after ?? before)?.[pk]) ?? '?'}`, units: tableUnits },
  ];
  let indexUnits = 0;
  for (const index of table?.globalSecondaryIndexes ?? []) {
    const names = indexAttributes(table as TableDefinition, index);
    const entryUnits = (item: Item) => started(itemBytes(item, names) + 100, 1024);
    const partitionOf = (item: Item) => `${index.indexName} ${scalar(item[index.partitionKey.name])}`;
    const wasIn = inIndex(before, index);
    const isIn = inIndex(after, index);
    const keyOf = (item: Item) =>
      [index.partitionKey.name, index.sortKey.name].map((n) => scalar(item[n])).join('|');
    const keyChanged = wasIn && isIn && keyOf(before) !== keyOf(after);
    const changed =
      wasIn && isIn && names.some((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
    if (wasIn && (!isIn || keyChanged)) {
      indexUnits += entryUnits(before);
      partitions.push({ partition: partitionOf(before), units: entryUnits(before) });
    }
    if (isIn && (!wasIn || changed)) {
      indexUnits += entryUnits(after);
      partitions.push({ partition: partitionOf(after), units: entryUnits(after) });
    }
  }
  return { tableUnits, indexUnits, partitions };
}

export type ReadMode = 'eventual' | 'strong' | 'transactional';
const READ_FACTOR: Record<ReadMode, number> = { eventual: 0.5, strong: 1, transactional: 2 };

/** Read units of one request: `perItem` (GetItem, BatchGetItem) rounds each item up, else the sum. */
export function priceRead(itemSizes: number[], mode: ReadMode, perItem: boolean): number {
  const fours = perItem
    ? itemSizes.reduce((sum, bytes) => sum + started(bytes, 4096), 0)
    : started(
        itemSizes.reduce((sum, bytes) => sum + bytes, 0),
        4096,
      );
  return Math.max(1, fours) * READ_FACTOR[mode];
}

/** The key attributes of an item in a table (for the shadow of item images). */
export function keyOfItem(tableName: string, item: Item): string {
  const table = tableOf(tableName);
  const names = table ? [table.partitionKey.name, table.sortKey.name] : Object.keys(item).sort();
  return `${tableName}|${names.map((name) => scalar(item[name]) ?? '').join('|')}`;
}
