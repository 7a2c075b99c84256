/**
 * The WebSocket handlers and the notifier over fake ports: event parsing, routing and the mapping of
 * outcomes. The handler modules read their environment at import, so it is set first.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, StreamRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signToken, TokenError } from '../../../functions/adapters/auth/jwt-verifier.ts';
import { toItem } from '../../../functions/adapters/dynamodb/job-item.ts';
import type { WsEvent } from '../../../functions/adapters/realtime/websocket-event.ts';
import { TestClock } from '../../../functions/core/clock.ts';
import type { Job } from '../../../functions/core/job.ts';
import { createNotifier } from '../../../functions/handlers/notifier.ts';
import { createAuthorizer } from '../../../functions/handlers/ws/authorizer.ts';
import { createConnectHandler } from '../../../functions/handlers/ws/connect.ts';
import { createDisconnectHandler } from '../../../functions/handlers/ws/disconnect.ts';
import { createMessageHandler, type MessageDeps } from '../../../functions/handlers/ws/message.ts';
import { SentLog } from '../../../functions/usecases/realtime/sent-log.ts';
import { aJob } from '../../support/job-factory.ts';
import { silentLogger } from '../../support/memory-store.ts';
import { aConnection, MemoryConnectionStore, RecordingPoster, retryable } from './fakes.ts';

vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    JOBS_TABLE: 'unit-jobs',
    CONNECTIONS_TABLE: 'unit-connections',
    WS_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
    AUTH_MODE: 'hs256',
    JWT_SECRET: 'unit-test-secret-unit-test-secret',
  });
});

type LambdaImage = NonNullable<StreamRecord['NewImage']>;

const CONNECTED_AT = Date.parse('2026-01-01T00:00:00.000Z');

function wsEvent(
  routeKey: string,
  body?: string,
  authorizer: WsEvent['requestContext']['authorizer'] = {
    principalId: 'user-1',
    userId: 'user-1',
    isAdmin: 'false',
  },
): WsEvent {
  return {
    requestContext: {
      routeKey,
      messageId: 'm-1',
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      extendedRequestId: 'r-1',
      requestTime: '01/Jan/2026:00:00:00 +0000',
      messageDirection: 'IN',
      stage: 'test',
      connectedAt: CONNECTED_AT,
      requestTimeEpoch: CONNECTED_AT,
      requestId: 'r-1',
      domainName: 'example.execute-api.us-east-1.amazonaws.com',
      connectionId: 'conn-1',
      apiId: 'example',
      authorizer,
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}

describe('ws authorizer', () => {
  const secret = 'unit-test-secret-unit-test-secret';
  const verify = vi.fn(async (token: string) => {
    if (token === 'crash') throw new Error('JWKS unreachable');
    if (token !== 'good') throw new TokenError('bad signature');
    return { userId: 'alice', isAdmin: true };
  });
  const authorize = createAuthorizer(verify, silentLogger);
  const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:api/stage/$connect';

  it('allows a valid token and passes the user in the context', async () => {
    expect(await authorize({ type: 'REQUEST', methodArn, queryStringParameters: { token: 'good' } })).toEqual(
      {
        principalId: 'alice',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
        },
        context: { userId: 'alice', isAdmin: 'true' },
      },
    );
  });

  it("throws 'Unauthorized' (API Gateway's 401) for a missing or bad token", async () => {
    await expect(authorize({ type: 'REQUEST', methodArn, queryStringParameters: {} })).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(
      authorize({ type: 'REQUEST', methodArn, queryStringParameters: { token: 'forged' } }),
    ).rejects.toThrow(/^Unauthorized$/);
  });

  it('lets other failures through (a 500, not a 401)', async () => {
    await expect(
      authorize({ type: 'REQUEST', methodArn, queryStringParameters: { token: 'crash' } }),
    ).rejects.toThrow('JWKS unreachable');
  });

  it('verifies real tokens with the configured secret (the deployed handler)', async () => {
    const { handler } = await import('../../../functions/handlers/ws/authorizer.ts');
    const token = await signToken(secret, { sub: 'bob' });
    const result = await handler(
      { type: 'REQUEST', methodArn, queryStringParameters: { token } },
      {} as never,
    );
    expect(result.context).toEqual({
      userId: 'bob',
      isAdmin: 'false',
      tokenExpiresAt: expect.stringMatching(/^\d+$/),
    });
  });
});

describe('connect and disconnect', () => {
  it('stores the connection with its user until API Gateway’s 2-hour limit', async () => {
    const connections = new MemoryConnectionStore();
    const connect = createConnectHandler({ connections, logger: silentLogger });

    expect(await connect(wsEvent('$connect'))).toEqual({ statusCode: 200 });
    expect(connections.connections.get('conn-1')).toEqual({
      connectionId: 'conn-1',
      userId: 'user-1',
      isAdmin: false,
      connectedAt: CONNECTED_AT,
      expiresAt: CONNECTED_AT / 1000 + 7200,
    });
  });

  it('refuses a connect without an authorizer context', async () => {
    const connections = new MemoryConnectionStore();
    const connect = createConnectHandler({ connections, logger: silentLogger });
    expect(await connect(wsEvent('$connect', undefined, null))).toEqual({ statusCode: 401 });
    expect(connections.connections.size).toBe(0);
  });

  it('removes the connection and its subscriptions on disconnect', async () => {
    const connections = new MemoryConnectionStore();
    await connections.open(aConnection());
    await connections.subscribe({
      target: { kind: 'user', userId: 'user-1' },
      connectionId: 'conn-1',
      userId: 'user-1',
      state: 'ready',
      pendingUntil: 0,
      snapshotSeq: null,
      expiresAt: 0,
    });
    const disconnect = createDisconnectHandler({ connections });

    expect(await disconnect(wsEvent('$disconnect'))).toEqual({ statusCode: 200 });
    expect(connections.connections.size).toBe(0);
    expect(connections.all()).toEqual([]);
  });
});

describe('ws message handler', () => {
  let connections: MemoryConnectionStore;
  let poster: RecordingPoster;
  let jobs: Map<string, Job>;
  let deps: MessageDeps;
  let handle: ReturnType<typeof createMessageHandler>;

  beforeEach(async () => {
    connections = new MemoryConnectionStore();
    poster = new RecordingPoster();
    jobs = new Map();
    deps = {
      connections,
      poster,
      jobs: { get: async (id) => jobs.get(id) ?? null },
      clock: new TestClock(),
      pendingLeaseMs: 10_000,
      logger: silentLogger,
    };
    handle = createMessageHandler(deps);
    await connections.open(aConnection());
  });

  it('answers ping with pong through the management API', async () => {
    expect(await handle(wsEvent('ping', '{"action":"ping"}'))).toEqual({ statusCode: 200 });
    expect(poster.framesTo('conn-1')).toEqual([{ type: 'pong' }]);
  });

  it('answers anything on $default with bad_request', async () => {
    await handle(wsEvent('$default', 'hello'));
    await handle(wsEvent('$default', '{"action":"dance"}'));
    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'error', code: 'bad_request', message: expect.stringContaining('JSON') },
      { type: 'error', code: 'bad_request', message: expect.stringContaining('dance') },
    ]);
  });

  it('routes subscribe to one job (snapshot) and to all (acknowledgement), and unsubscribe', async () => {
    jobs.set('job-a', aJob({ id: 'job-a', userId: 'user-1', seq: 4 }));
    await handle(wsEvent('subscribe', '{"action":"subscribe","jobId":"job-a"}'));
    await handle(wsEvent('subscribe', '{"action":"subscribe","all":true}'));
    await handle(wsEvent('unsubscribe', '{"action":"unsubscribe","jobId":"job-a"}'));

    expect(poster.framesTo('conn-1').map((frame) => frame.type)).toEqual([
      'job.snapshot',
      'subscribed',
      'unsubscribed',
    ]);
    expect(connections.all()).toEqual([
      expect.objectContaining({ target: { kind: 'user', userId: 'user-1' }, state: 'ready' }),
    ]);
  });

  it('answers not_found for another user’s job', async () => {
    jobs.set('job-b', aJob({ id: 'job-b', userId: 'someone-else' }));
    await handle(wsEvent('subscribe', '{"action":"subscribe","jobId":"job-b"}'));
    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'error', code: 'not_found', message: 'No job job-b' },
    ]);
  });

  it('finds the user in the connection item when the event has no authorizer context', async () => {
    jobs.set('job-a', aJob({ id: 'job-a', userId: 'user-1' }));
    await handle(wsEvent('subscribe', '{"action":"subscribe","jobId":"job-a"}', null));
    expect(poster.framesTo('conn-1').map((frame) => frame.type)).toEqual(['job.snapshot']);

    await connections.close('conn-1');
    expect(await handle(wsEvent('ping', '{"action":"ping"}', null))).toEqual({ statusCode: 401 });
    expect(poster.framesTo('conn-1').at(-1)).toMatchObject({ type: 'error', code: 'not_connected' });
  });

  it('answers internal_error without details when a use case fails', async () => {
    deps.jobs = {
      get: async () => {
        throw new Error('DynamoDB is down (table unit-jobs)');
      },
    };
    handle = createMessageHandler(deps);
    expect(await handle(wsEvent('subscribe', '{"action":"subscribe","jobId":"job-a"}'))).toEqual({
      statusCode: 500,
    });
    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'error', code: 'internal_error', message: 'Something went wrong on our side' },
    ]);
  });
});

describe('notifier', () => {
  let connections: MemoryConnectionStore;
  let poster: RecordingPoster;
  let notify: ReturnType<typeof createNotifier>;
  let sequence = 0;

  beforeEach(async () => {
    connections = new MemoryConnectionStore();
    poster = new RecordingPoster();
    notify = createNotifier({
      connections,
      poster,
      clock: new TestClock('2026-01-01T00:10:00.000Z'),
      logger: silentLogger,
      sleep: async () => undefined,
      concurrency: 4,
      pendingPollMs: 25,
      sent: new SentLog(),
    });
    for (const connectionId of ['conn-1', 'conn-2']) {
      await connections.open(aConnection({ connectionId }));
      await connections.subscribe({
        target: { kind: 'user', userId: 'user-1' },
        connectionId,
        userId: 'user-1',
        state: 'ready',
        pendingUntil: 0,
        snapshotSeq: null,
        expiresAt: Date.parse('2026-01-01T02:00:00.000Z') / 1000,
      });
    }
  });

  /** A record of the jobs table's stream, as Lambda delivers it. */
  function streamRecord(
    eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
    next: Job | null,
    previous: Job | null,
  ): DynamoDBRecord {
    // Lambda's images are the SDK's attribute values (binary aside, which jobs do not have).
    const image = (job: Job) => toItem(job, { retentionDays: 30 }) as unknown as LambdaImage;
    const id = (next ?? previous)?.id ?? 'x';
    sequence += 1;
    return {
      eventID: `event-${sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: marshall({ pk: `JOB#${id}`, sk: 'JOB' }) as unknown as LambdaImage,
        ...(next && { NewImage: image(next) }),
        ...(previous && { OldImage: image(previous) }),
        SequenceNumber: String(1000 + sequence),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }

  it('sends status and progress changes, and skips heartbeats, deletions and other items', async () => {
    const queued = aJob({ id: 'job-a', userId: 'user-1', status: 'queued', seq: 1 });
    const running = {
      ...queued,
      status: 'running' as const,
      heartbeatAt: '2026-01-01T00:00:01.000Z',
      seq: 2,
    };
    const beat = { ...running, heartbeatAt: '2026-01-01T00:00:06.000Z', seq: 3 };
    const progressed = { ...beat, progress: { percent: 50, stage: 's', message: null }, seq: 4 };
    const other = streamRecord('INSERT', queued, null);
    other.dynamodb = {
      ...other.dynamodb,
      Keys: marshall({ pk: 'IDEM#user-1#k', sk: 'IDEM' }) as unknown as LambdaImage,
    };

    const response = await notify({
      Records: [
        streamRecord('INSERT', queued, null),
        streamRecord('MODIFY', running, queued),
        streamRecord('MODIFY', beat, running),
        streamRecord('MODIFY', progressed, beat),
        streamRecord('REMOVE', null, progressed),
        other,
      ],
    });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(poster.framesTo('conn-1').map((frame) => (frame.job as Job).seq)).toEqual([1, 2, 4]);
    expect(poster.framesTo('conn-1')[2]).toMatchObject({
      type: 'job.updated',
      job: { progress: { percent: 50 } },
    });
  });

  it('reports the first record it could not deliver by sequence number, and stops there', async () => {
    const first = aJob({ id: 'job-a', userId: 'user-1', seq: 1 });
    const second = { ...first, status: 'running' as const, seq: 2 };
    const third = { ...second, status: 'completed' as const, seq: 3 };
    const records = [
      streamRecord('INSERT', first, null),
      streamRecord('MODIFY', second, first),
      streamRecord('MODIFY', third, second),
    ];
    let calls = 0;
    const post = poster.post.bind(poster);
    poster.post = async (connectionId, data) => {
      // The second record's post to conn-2 is throttled.
      if (connectionId === 'conn-2' && ++calls === 2) throw retryable();
      return post(connectionId, data);
    };

    const response = await notify({ Records: records });

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    // Nothing after the failed record went out: the retry starts from it, in order.
    expect(poster.framesTo('conn-1').map((frame) => (frame.job as Job).seq)).toEqual([1, 2]);
    expect(poster.framesTo('conn-2').map((frame) => (frame.job as Job).seq)).toEqual([1]);

    // The event source retries from the failed record: conn-1 already has seq 2 and does not get it twice.
    const retry = await notify({ Records: records.slice(1) });
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(poster.framesTo('conn-1').map((frame) => (frame.job as Job).seq)).toEqual([1, 2, 3]);
    expect(poster.framesTo('conn-2').map((frame) => (frame.job as Job).seq)).toEqual([1, 2, 3]);
  });
});

describe('connections whose token expires', () => {
  const tokenExpiresAt = CONNECTED_AT / 1000 + 600; // ten minutes after connecting
  const authorizer = {
    principalId: 'user-1',
    userId: 'user-1',
    isAdmin: 'false',
    tokenExpiresAt: String(tokenExpiresAt),
  };

  it('are stored to end when the token does, not after API Gateway’s 2 hours', async () => {
    const connections = new MemoryConnectionStore();
    await createConnectHandler({ connections, logger: silentLogger })(
      wsEvent('$connect', undefined, authorizer),
    );
    expect(connections.connections.get('conn-1')?.expiresAt).toBe(tokenExpiresAt);
  });

  it('are served until the token expires, then told so and closed (DeleteConnection)', async () => {
    const connections = new MemoryConnectionStore();
    const poster = new RecordingPoster();
    const clock = new TestClock(new Date(CONNECTED_AT));
    const handle = createMessageHandler({
      connections,
      poster,
      jobs: { get: async () => null },
      clock,
      pendingLeaseMs: 10_000,
      logger: silentLogger,
    });
    await connections.open(aConnection({ expiresAt: tokenExpiresAt }));

    expect(await handle(wsEvent('ping', '{"action":"ping"}', authorizer))).toEqual({ statusCode: 200 });
    expect(poster.disconnected).toEqual([]);

    clock.tick(600_000);
    expect(await handle(wsEvent('ping', '{"action":"ping"}', authorizer))).toEqual({ statusCode: 401 });
    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'pong' },
      { type: 'error', code: 'token_expired', message: expect.any(String) },
    ]);
    expect(poster.disconnected).toEqual(['conn-1']);
    expect(connections.connections.has('conn-1')).toBe(false);
  });
});
