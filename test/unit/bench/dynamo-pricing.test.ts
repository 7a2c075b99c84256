import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { itemBytes, priceRead, priceWrite } from '../../../bench/lib/dynamo-pricing.ts';
import { toItem } from '../../../functions/adapters/dynamodb/job-item.ts';
import { aJob } from '../../support/job-factory.ts';

const TABLE = 'bench-Jobs';
const item = (job: Parameters<typeof toItem>[0]) => toItem(job, { retentionDays: 30 });

describe("DynamoDB item size by AWS's rules", () => {
  it('counts attribute names and values: strings as UTF-8, numbers by digits, maps and lists with overhead', () => {
    expect(itemBytes(marshall({ a: 'xyz' }))).toBe(1 + 3);
    expect(itemBytes(marshall({ é: 'é' }))).toBe(2 + 2);
    // 12345: 5 significant digits → 3 bytes + 1.
    expect(itemBytes(marshall({ n: 12345 }))).toBe(1 + 4);
    expect(itemBytes(marshall({ b: true, z: null }))).toBe(2 + 2);
    // A map: 3 bytes + per entry its name, value and 1 byte; a list: 3 bytes + per element value + 1.
    expect(itemBytes(marshall({ m: { k: 'v' }, l: ['v'] }))).toBe(1 + (3 + 1 + 1 + 1) + 1 + (3 + 1 + 1));
  });
});

describe("DynamoDB writes by AWS's rules", () => {
  const queued = aJob({ status: 'queued', userId: 'alice' });
  const running = {
    ...queued,
    status: 'running' as const,
    attempt: 1,
    startedAt: '2026-01-01T00:00:01.000Z',
  };

  it('bills a new item by its size per started KB, doubled in a transaction, plus one put per index it enters', () => {
    const after = item(queued);
    expect(itemBytes(after)).toBeLessThan(1024);
    const plain = priceWrite(TABLE, undefined, after, false);
    const transactional = priceWrite(TABLE, undefined, after, true);
    expect(plain.tableUnits).toBe(1);
    expect(transactional.tableUnits).toBe(2);
    // byUser and byActive (a queued job is active); no deadline, so not the two sparse deadline indexes.
    expect(plain.indexUnits).toBe(2);
    expect(transactional.indexUnits).toBe(2);
    const partitions = plain.partitions.map((p) => p.partition);
    expect(partitions).toEqual(expect.arrayContaining([`Jobs JOB#${queued.id}`, 'byUser U#alice']));
    expect(partitions.some((p) => p.startsWith('byActive '))).toBe(true);
  });

  it('moves an index entry (a delete and a put) only where the write changes its key', () => {
    // queued → running keeps every index key (byActive's key is stable while active): no index write.
    expect(priceWrite(TABLE, item(queued), item(running), false).indexUnits).toBe(0);
    // running → completed leaves byActive (a delete) and enters byStatus's ended partition (a put).
    const done = { ...running, status: 'completed' as const, completedAt: '2026-01-01T00:00:02.000Z' };
    const charge = priceWrite(TABLE, item(running), item(done), false);
    expect(charge.indexUnits).toBe(2);
    expect(charge.partitions.filter((p) => p.partition.startsWith('byActive '))).toHaveLength(1);
    expect(charge.partitions.filter((p) => p.partition.startsWith('byStatus '))).toHaveLength(1);
    expect(charge.partitions.some((p) => p.partition.startsWith('byUser '))).toBe(false);
  });

  it('leaves KEYS_ONLY indexes alone when only non-key attributes change (progress, heartbeat)', () => {
    const beat = {
      ...running,
      heartbeatAt: '2026-01-01T00:00:30.000Z',
      progress: { percent: 50, stage: null, message: null },
    };
    expect(priceWrite(TABLE, item(running), item(beat), false)).toMatchObject({
      tableUnits: 1,
      indexUnits: 0,
    });
  });

  it('bills by the larger of the old and new item, at least one unit per index entry, and deletes', () => {
    const big = {
      ...running,
      result: { text: 'x'.repeat(3000) },
      status: 'completed' as const,
      completedAt: '2026-01-01T00:00:02.000Z',
    };
    const charge = priceWrite(TABLE, item(running), item(big), false);
    expect(charge.tableUnits).toBe(Math.ceil(itemBytes(item(big)) / 1024));
    const removed = priceWrite(TABLE, item(big), undefined, false);
    expect(removed.tableUnits).toBe(charge.tableUnits);
    // Its entries in byUser and in byStatus's ended partition go with it.
    expect(removed.indexUnits).toBe(2);
  });

  it('treats items of tables without indexes (statistics counters, unknown tables) as table writes only', () => {
    const counter = marshall({ pk: 'STATS#ALL', sk: 'S#3', n_queued: 4 });
    expect(priceWrite(TABLE, counter, counter, true)).toMatchObject({ tableUnits: 2, indexUnits: 0 });
    expect(priceWrite('bench-Connections', undefined, counter, false).indexUnits).toBe(0);
  });
});

describe("DynamoDB reads by AWS's rules", () => {
  it('bills 0.5 / 1 / 2 units per started 4 KB, per item for gets and over the sum for queries', () => {
    expect(priceRead([100], 'eventual', true)).toBe(0.5);
    expect(priceRead([100], 'strong', true)).toBe(1);
    expect(priceRead([100], 'transactional', true)).toBe(2);
    expect(priceRead([1500, 6500], 'strong', true)).toBe(3);
    expect(priceRead([1500, 6500], 'strong', false)).toBe(2);
  });

  it('bills the minimum for a read that finds nothing', () => {
    expect(priceRead([], 'eventual', false)).toBe(0.5);
    expect(priceRead([], 'strong', true)).toBe(1);
  });
});
