/**
 * The local DynamoDB Streams event source against DynamoDB Local: Lambda-shaped events, LATEST start,
 * batch size, in-order delivery, Lambda's retry rules for failed batches, and resuming from checkpoints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UnknownBatchItemError } from '../../functions/local/event-source/sqs-poller.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import {
  type StreamReader,
  type StreamReaderOptions,
  StreamRecordsSkippedError,
  startStreamReader,
} from '../../functions/local/realtime/dynamodb-stream-reader.ts';
import { fileCheckpoints } from '../../functions/local/realtime/stream-checkpoints.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';

const dynamodb = dynamoClient();
const streams = new DynamoDBStreamsClient(localClientConfig(inject('dynamodbEndpoint')));
let tableName: string;
const running: StreamReader[] = [];
let testNumber = 0;
/** Each test writes under its own partition prefix and only looks at its own records. */
let prefix: string;

beforeAll(async () => {
  const tables = await provisionTables(dynamodb, uniquePrefix('rt-stream'));
  tableName = tables.Jobs as string;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((reader) => reader.stop()));
});
afterAll(() => {
  dynamodb.destroy();
  streams.destroy();
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

interface Invocation {
  records: DynamoDBRecord[];
}

/** Starts a reader whose handler sees only this test's records; `respond` decides each answer. */
async function read(
  respond: (
    records: DynamoDBRecord[],
    call: number,
  ) => Promise<DynamoDBBatchResponse | undefined> = async () => undefined,
  overrides: Partial<StreamReaderOptions> = {},
) {
  prefix = `t${++testNumber}#`;
  const invocations: Invocation[] = [];
  const errors: unknown[] = [];
  const reader = await startStreamReader({
    dynamodb,
    streams,
    tableName,
    pollIntervalMs: 50,
    handler: async (event: DynamoDBStreamEvent) => {
      const records = event.Records.filter((r) => r.dynamodb?.Keys?.pk?.S?.startsWith(prefix));
      if (records.length === 0) return undefined;
      invocations.push({ records });
      return respond(records, invocations.length);
    },
    onError: (error) => errors.push(error),
    ...overrides,
  });
  running.push(reader);
  const delivered = () => invocations.flatMap((invocation) => invocation.records);
  return { reader, invocations, errors, delivered };
}

const put = (id: string, extra: Record<string, unknown> = {}) =>
  dynamodb.send(
    new PutItemCommand({ TableName: tableName, Item: marshall({ pk: `${prefix}${id}`, sk: 'X', ...extra }) }),
  );

async function putMany(count: number): Promise<void> {
  for (let start = 0; start < count; start += 25) {
    const items = Array.from({ length: Math.min(25, count - start) }, (_, i) => ({
      PutRequest: {
        Item: marshall({ pk: `${prefix}${String(start + i).padStart(4, '0')}`, sk: 'X', n: start + i }),
      },
    }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: items } }));
  }
}

const ids = (records: DynamoDBRecord[]) => records.map((r) => r.dynamodb?.Keys?.pk?.S?.slice(prefix.length));
const sequenceOf = (record: DynamoDBRecord | undefined) => BigInt(record?.dynamodb?.SequenceNumber ?? '0');

describe('DynamoDB Streams event source (local)', () => {
  it('delivers Lambda-shaped records of inserts, updates and deletes, in order', async () => {
    const { reader, delivered } = await read();
    await put('a', { n: 1, bytes: new Uint8Array([1, 2, 3]), nested: { list: [1, 'two'] } });
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: marshall({ pk: `${prefix}a`, sk: 'X' }),
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: marshall({ ':n': 2 }),
      }),
    );
    await dynamodb.send(
      new DeleteItemCommand({ TableName: tableName, Key: marshall({ pk: `${prefix}a`, sk: 'X' }) }),
    );

    await until(() => delivered().length === 3);
    const [insert, modify, remove] = delivered();
    expect(insert).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: reader.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: `${prefix}a` }, sk: { S: 'X' } },
        NewImage: {
          pk: { S: `${prefix}a` },
          sk: { S: 'X' },
          n: { N: '1' },
          bytes: { B: Buffer.from([1, 2, 3]).toString('base64') },
          nested: { M: { list: { L: [{ N: '1' }, { S: 'two' }] } } },
        },
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    // Epoch seconds, as in Lambda events (not milliseconds, not a Date).
    expect(Math.abs((insert?.dynamodb?.ApproximateCreationDateTime ?? 0) - Date.now() / 1000)).toBeLessThan(
      600,
    );
    expect(modify).toMatchObject({
      eventName: 'MODIFY',
      dynamodb: { OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } },
    });
    expect(remove).toMatchObject({ eventName: 'REMOVE', dynamodb: { OldImage: { n: { N: '2' } } } });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    expect(sequenceOf(insert) < sequenceOf(modify) && sequenceOf(modify) < sequenceOf(remove)).toBe(true);
  });

  it('starts at LATEST: what was written before it started is not delivered', async () => {
    prefix = `t${testNumber + 1}#`;
    await put('before');
    const { delivered } = await read();
    await put('after');
    await until(() => delivered().length >= 1);
    await sleep(300);
    expect(ids(delivered())).toEqual(['after']);
  });

  it('invokes with at most batchSize records, all of them in order', async () => {
    const { invocations, delivered } = await read(undefined, { batchSize: 40 });
    await putMany(150);
    await until(() => delivered().length === 150);
    expect(Math.max(...invocations.map((invocation) => invocation.records.length))).toBeLessThanOrEqual(40);
    expect(ids(delivered())).toEqual(Array.from({ length: 150 }, (_, i) => String(i).padStart(4, '0')));
  });

  it('retries from the lowest failed record, without redelivering the ones before it', async () => {
    let failedAt = -1;
    const { delivered, invocations } = await read(
      async (records, call) => {
        if (failedAt !== -1 || records.length < 3) return undefined;
        failedAt = call - 1;
        return {
          batchItemFailures: [
            { itemIdentifier: records[2]?.dynamodb?.SequenceNumber ?? '' },
            { itemIdentifier: records[records.length - 1]?.dynamodb?.SequenceNumber ?? '' },
          ],
        };
      },
      // A batching window that waits for all five records: they arrive in one batch even on a busy machine
      // (polling once a second was not enough: records came one by one and no batch had three).
      { pollIntervalMs: 100, maxBatchingWindowMs: 20_000, batchSize: 5 },
    );
    await putMany(5);
    await until(
      () => failedAt !== -1 && invocations.length > failedAt + 1 && new Set(ids(delivered())).size === 5,
    );
    const failed = invocations[failedAt]?.records ?? [];
    expect(ids(invocations[failedAt + 1]?.records ?? [])).toEqual(ids(failed.slice(2)));
    expect(ids(delivered()).filter((id) => id === ids(failed)[0])).toHaveLength(1);
  });

  it('retries the whole batch when the handler throws or names a record not in the batch', async () => {
    const { delivered, invocations, errors } = await read(async (_records, call) => {
      if (call === 1) throw new Error('handler crashed');
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return undefined;
    });
    await put('only');
    await until(() => invocations.length === 3);
    await sleep(300);
    expect(ids(delivered())).toEqual(['only', 'only', 'only']);
    expect(errors[0]).toMatchObject({ message: 'handler crashed' });
    expect(errors[1]).toBeInstanceOf(UnknownBatchItemError);
  });

  it('skips a batch after maxRetryAttempts, reports it, and goes on with later records', async () => {
    const { delivered, errors } = await read(
      async (records) => {
        if (ids(records).includes('poison')) throw new Error('cannot handle poison');
        return undefined;
      },
      { maxRetryAttempts: 2 },
    );
    await put('poison');
    await until(() => errors.some((error) => error instanceof StreamRecordsSkippedError));
    await put('healthy');
    await until(() => ids(delivered()).includes('healthy'));
    expect(ids(delivered()).filter((id) => id === 'poison')).toHaveLength(3); // the first try and 2 retries
    expect(errors.find((error) => error instanceof StreamRecordsSkippedError)).toMatchObject({ attempts: 3 });
  });

  it('stop() waits for the invocation in flight', async () => {
    let finished = false;
    const { reader, invocations } = await read(async () => {
      await sleep(400);
      finished = true;
      return undefined;
    });
    await put('slow');
    await until(() => invocations.length === 1);
    await reader.stop();
    expect(finished).toBe(true);
  });

  it('resumes after its checkpoint when restarted: nothing written before the stop is lost or repeated', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'stream-checkpoints-'));
    const checkpoints = fileCheckpoints(join(directory, 'positions.json'));
    // A long batching window: records read just before the stop are still waiting for it when it comes.
    const first = await read(async () => undefined, {
      checkpoints,
      maxBatchingWindowMs: 60_000,
      batchSize: 10,
    });
    await putMany(10);
    await until(() => first.delivered().length === 10);
    await put('in-the-window-1');
    await put('in-the-window-2');
    await sleep(300);
    await first.reader.stop();
    expect(first.delivered()).toHaveLength(10);
    await put('while-stopped');

    const seen: DynamoDBRecord[] = [];
    const ours = (records: DynamoDBRecord[]) =>
      records.filter((r) => r.dynamodb?.Keys?.pk?.S?.startsWith(prefix));
    const second = await startStreamReader({
      dynamodb,
      streams,
      tableName,
      pollIntervalMs: 50,
      checkpoints,
      handler: async (event: DynamoDBStreamEvent) => {
        seen.push(...ours(event.Records));
      },
    });
    running.push(second);
    await until(() => seen.length === 3);
    await sleep(300);
    expect(ids(seen)).toEqual(['in-the-window-1', 'in-the-window-2', 'while-stopped']);
    await rm(directory, { recursive: true, force: true });
  });

  it('without checkpoints a restarted reader starts at the end of the stream, as a new mapping does', async () => {
    const first = await read(async () => undefined, { maxBatchingWindowMs: 60_000, batchSize: 10 });
    await put('before-restart');
    await sleep(300);
    await first.reader.stop();
    const seen: DynamoDBRecord[] = [];
    const second = await startStreamReader({
      dynamodb,
      streams,
      tableName,
      pollIntervalMs: 50,
      handler: async (event: DynamoDBStreamEvent) => {
        seen.push(...event.Records.filter((r) => r.dynamodb?.Keys?.pk?.S?.startsWith(prefix)));
      },
    });
    running.push(second);
    await put('after-restart');
    await until(() => seen.length >= 1);
    await sleep(300);
    expect(ids(seen)).toEqual(['after-restart']);
  });
});
