/** The DynamoDB connection store against DynamoDB Local: item layout, conditions, consistency, cleanup. */
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConnectionStore } from '../../functions/adapters/realtime/connection-store.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import type { Subscription, SubscriptionTarget } from '../../functions/usecases/realtime/ports.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';

const client = dynamoClient();
let tableName: string;
let store: DynamoConnectionStore;
let counter = 0;

beforeAll(async () => {
  const tables = await provisionTables(client, uniquePrefix('rt-store'));
  tableName = tables.Connections as string;
  store = new DynamoConnectionStore({ client, tableName });
});
afterAll(() => client.destroy());

const EXPIRES = Math.floor(Date.parse('2030-01-01T00:00:00.000Z') / 1000);

async function openConnection(userId = 'user-1'): Promise<string> {
  const connectionId = `conn-${++counter}=`;
  await store.open({
    connectionId,
    userId,
    isAdmin: false,
    connectedAt: 1_700_000_000_000,
    expiresAt: EXPIRES,
  });
  return connectionId;
}

const subscription = (
  connectionId: string,
  target: SubscriptionTarget,
  overrides: Partial<Subscription> = {},
): Subscription => ({
  target,
  connectionId,
  userId: 'user-1',
  state: 'pending',
  pendingUntil: 1_700_000_010_000,
  snapshotSeq: null,
  expiresAt: EXPIRES,
  ...overrides,
});

async function partition(pk: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': pk }),
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => unmarshall(item));
}

describe('DynamoDB connection store', () => {
  it('stores a connection under its own key, with the TTL attribute', async () => {
    const connectionId = await openConnection('alice');
    expect(await store.get(connectionId)).toEqual({
      connectionId,
      userId: 'alice',
      isAdmin: false,
      connectedAt: 1_700_000_000_000,
      expiresAt: EXPIRES,
    });
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall({ pk: `CONN#${connectionId}`, sk: 'CONN' }) }),
    );
    expect(Item?.expiresAt).toEqual({ N: String(EXPIRES) });
    expect(await store.get('never-connected')).toBeNull();
  });

  it('writes a subscription and its back-reference only while the connection exists', async () => {
    const connectionId = await openConnection();
    const target: SubscriptionTarget = { kind: 'job', jobId: `job-${counter}` };

    expect(await store.subscribe(subscription(connectionId, target))).toBe(true);
    expect(await store.subscribe(subscription('not-connected', target))).toBe(false);

    expect(await store.subscribers(target)).toEqual([subscription(connectionId, target)]);
    expect(await partition(`SUB#JOB#${target.jobId}`)).toEqual([
      expect.objectContaining({
        pk: `SUB#JOB#${target.jobId}`,
        sk: `CONN#${connectionId}`,
        expiresAt: EXPIRES,
      }),
    ]);
    expect((await partition(`CONN#${connectionId}`)).map((item) => item.sk).sort()).toEqual([
      'CONN',
      `SUB#JOB#${target.jobId}`,
    ]);
    // The refused subscribe took back what it wrote before it found the connection gone.
    expect(await partition('CONN#not-connected')).toEqual([]);
  });

  it('marks a subscription ready with the snapshot seq, or none for `all`', async () => {
    const connectionId = await openConnection();
    const job: SubscriptionTarget = { kind: 'job', jobId: `job-${counter}` };
    const all: SubscriptionTarget = { kind: 'user', userId: `user-${counter}` };
    await store.subscribe(subscription(connectionId, job));
    await store.subscribe(subscription(connectionId, all));

    expect(await store.markReady(job, connectionId, 12)).toBe(true);
    expect(await store.markReady(all, connectionId, null)).toBe(true);
    expect(await store.markReady({ kind: 'job', jobId: 'not-subscribed' }, connectionId, 1)).toBe(false);

    expect(await store.subscription(job, connectionId)).toMatchObject({ state: 'ready', snapshotSeq: 12 });
    expect(await store.subscription(all, connectionId)).toMatchObject({ state: 'ready', snapshotSeq: null });
    // markReady never creates a subscription that was removed meanwhile.
    expect(await store.subscription({ kind: 'job', jobId: 'not-subscribed' }, connectionId)).toBeNull();
  });

  it('replaces a subscription on a second subscribe (back to pending)', async () => {
    const connectionId = await openConnection();
    const target: SubscriptionTarget = { kind: 'job', jobId: `job-${counter}` };
    await store.subscribe(subscription(connectionId, target));
    await store.markReady(target, connectionId, 3);
    await store.subscribe(subscription(connectionId, target));
    expect(await store.subscribers(target)).toEqual([subscription(connectionId, target)]);
  });

  it('unsubscribes idempotently', async () => {
    const connectionId = await openConnection();
    const target: SubscriptionTarget = { kind: 'job', jobId: `job-${counter}` };
    await store.subscribe(subscription(connectionId, target));
    await store.unsubscribe(target, connectionId);
    await store.unsubscribe(target, connectionId);
    expect(await store.subscribers(target)).toEqual([]);
    expect((await partition(`CONN#${connectionId}`)).map((item) => item.sk)).toEqual(['CONN']);
  });

  it('closes a connection with all its subscriptions (more than one batch), leaving others alone', async () => {
    const connectionId = await openConnection();
    const neighbour = await openConnection();
    const shared: SubscriptionTarget = { kind: 'job', jobId: `shared-${counter}` };
    const targets: SubscriptionTarget[] = [
      { kind: 'user', userId: `user-${counter}` },
      shared,
      ...Array.from(
        { length: 30 },
        (_, i): SubscriptionTarget => ({ kind: 'job', jobId: `job-${counter}-${i}` }),
      ),
    ];
    for (const target of targets) await store.subscribe(subscription(connectionId, target));
    await store.subscribe(subscription(neighbour, shared));

    await store.close(connectionId);
    await store.close(connectionId); // idempotent

    expect(await store.get(connectionId)).toBeNull();
    expect(await partition(`CONN#${connectionId}`)).toEqual([]);
    for (const target of targets.filter((t) => t !== shared))
      expect(await store.subscribers(target)).toEqual([]);
    expect((await store.subscribers(shared)).map((s) => s.connectionId)).toEqual([neighbour]);
    expect(await store.get(neighbour)).not.toBeNull();
  });

  it('finds every subscriber of a popular job', async () => {
    const target: SubscriptionTarget = { kind: 'job', jobId: `popular-${counter}` };
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const connectionId = await openConnection();
      ids.push(connectionId);
      await store.subscribe(subscription(connectionId, target, { state: 'ready', snapshotSeq: i }));
    }
    const found = await store.subscribers(target);
    expect(found.map((s) => s.connectionId).sort()).toEqual(ids.sort());
  });
});

describe('a write that fails half way', () => {
  /** A store whose client fails every put of an item whose sort key passes `fails`. */
  function failingPuts(fails: (sk: string) => boolean) {
    const failing = dynamoClient();
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: Record<string, { S?: string }> };
        if (context.commandName === 'PutItemCommand' && fails(input.Item?.sk?.S ?? ''))
          throw new Error('injected failure');
        return next(args);
      },
      { step: 'initialize' },
    );
    return { failing, store: new DynamoConnectionStore({ client: failing, tableName }) };
  }

  it('takes back what it wrote: the user entry of a failed open, the subscription of a failed subscribe', async () => {
    const user = `half-${++counter}`;
    // The user entry's sort key is `CONN#<id>`, the connection's `CONN`: the second put fails.
    const openFails = failingPuts((sk) => sk === 'CONN');
    const connectionId = `conn-half-${counter}=`;
    await expect(
      openFails.store.open({
        connectionId,
        userId: user,
        isAdmin: false,
        connectedAt: 1,
        expiresAt: EXPIRES,
      }),
    ).rejects.toThrow('injected failure');
    expect(await partition(`UCONN#${user}`)).toEqual([]);
    openFails.failing.destroy();

    const open = await openConnection(user);
    const target: SubscriptionTarget = { kind: 'job', jobId: `half-job-${counter}` };
    // The back-reference's sort key is the target's key (`SUB#JOB#...`); the subscription's is `CONN#...`.
    const subscribeFails = failingPuts((sk) => sk.startsWith('SUB#'));
    await expect(subscribeFails.store.subscribe(subscription(open, target))).rejects.toThrow(
      'injected failure',
    );
    expect(await partition(`SUB#JOB#${target.jobId}`)).toEqual([]);
    subscribeFails.failing.destroy();
  });
});

describe('watch marks', () => {
  it('reads 0 without a mark, and a mark that only moves later, with the TTL attribute', async () => {
    const userId = `watcher-${++counter}`;
    expect(await store.watchedUntil(userId)).toBe(0);

    await store.watch(userId, 2_000_000_000);
    await store.watch(userId, 1_900_000_000); // earlier: no change
    expect(await store.watchedUntil(userId)).toBe(2_000_000_000);
    await store.watch(userId, 2_100_000_000);
    expect(await store.watchedUntil(userId)).toBe(2_100_000_000);

    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall({ pk: `WATCH#${userId}`, sk: 'WATCH' }) }),
    );
    expect(unmarshall(Item ?? {})).toMatchObject({ until: 2_100_000_000, expiresAt: 2_100_000_000 });
  });
});

describe('quota counts', () => {
  it("counts a user's open connections, not another's, and forgets a closed one", async () => {
    const user = `quota-user-${++counter}`;
    const first = await openConnection(user);
    await openConnection(user);
    await openConnection(`${user}-other`);
    const now = new Date('2029-12-31T00:00:00.000Z');
    expect(await store.countUserConnections(user, now)).toBe(2);
    await store.close(first);
    expect(await store.countUserConnections(user, now)).toBe(1);
    // Past their expiry (a $disconnect that never came) they stop counting.
    expect(await store.countUserConnections(user, new Date('2030-01-01T00:00:01.000Z'))).toBe(0);
  });

  it("counts a connection's subscriptions", async () => {
    const connectionId = await openConnection();
    expect(await store.countSubscriptions(connectionId)).toBe(0);
    await store.subscribe(subscription(connectionId, { kind: 'job', jobId: 'q-1' }));
    await store.subscribe(subscription(connectionId, { kind: 'user', userId: 'user-1' }));
    expect(await store.countSubscriptions(connectionId)).toBe(2);
    await store.unsubscribe({ kind: 'job', jobId: 'q-1' }, connectionId);
    expect(await store.countSubscriptions(connectionId)).toBe(1);
  });
});
