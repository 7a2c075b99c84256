/**
 * The local WebSocket gateway and management API with recording handlers: the handshake outcomes API
 * Gateway has (401, 403, refused $connect), the events' shape and route selection, and the management API
 * as the real SDK client sees it (410 GoneException, 413, GetConnection, DeleteConnection).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsAuthorizerEvent, WsEvent } from '../../functions/adapters/realtime/websocket-event.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { ConnectionRegistry } from '../../functions/local/realtime/connection-registry.ts';
import { type ManagementApi, startManagementApi } from '../../functions/local/realtime/management-api.ts';
import { startWsGateway, type WsGateway } from '../../functions/local/realtime/ws-gateway.ts';

const registry = new ConnectionRegistry();
let management: ManagementApi;
let gateway: WsGateway;
let sdk: ApiGatewayManagementApiClient;
const events: WsEvent[] = [];
const authorizerEvents: WsAuthorizerEvent[] = [];
let connectStatus = 200;

beforeAll(async () => {
  management = await startManagementApi({ registry });
  gateway = await startWsGateway({
    port: 0,
    registry,
    routeKeys: ['subscribe', 'ping'],
    stage: 'test',
    handlers: {
      authorizer: async (event) => {
        authorizerEvents.push(event);
        const token = event.queryStringParameters?.token;
        if (token === 'bad') throw new Error('Unauthorized');
        return {
          principalId: 'alice',
          policyDocument: { Statement: [{ Effect: token === 'deny' ? 'Deny' : 'Allow' }] },
          context: { userId: 'alice', isAdmin: false },
        };
      },
      connect: async (event) => {
        events.push(event);
        return { statusCode: connectStatus };
      },
      message: async (event) => {
        // Slow first message: later ones must still be handled after it, in order.
        if (event.body === '"first"') await sleep(100);
        events.push(event);
        return { statusCode: 200 };
      },
      disconnect: async (event) => {
        events.push(event);
        return { statusCode: 200 };
      },
    },
  });
  sdk = new ApiGatewayManagementApiClient(localClientConfig(management.endpoint));
});
afterAll(async () => {
  await gateway?.close();
  await management?.close();
  sdk?.destroy();
});
beforeEach(() => {
  events.length = 0;
  authorizerEvents.length = 0;
  connectStatus = 200;
});

async function until<T>(check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Connects; resolves with the socket once open, or with the refused handshake's status. */
function connect(query: string): Promise<{ socket: WebSocket; status?: number; frames: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${gateway.url}/${query}`);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(data.toString()));
    socket.once('open', () => resolve({ socket, frames }));
    socket.once('unexpected-response', (_request, response) =>
      resolve({ socket, status: response.statusCode ?? 0, frames }),
    );
    socket.once('error', reject);
  });
}

const disconnected = (connectionId: string) =>
  until(() =>
    events.some(
      (event) =>
        event.requestContext.eventType === 'DISCONNECT' && event.requestContext.connectionId === connectionId,
    ),
  );

const connectedId = async () =>
  (await until(() => events.find((event) => event.requestContext.eventType === 'CONNECT'))).requestContext
    .connectionId;

describe('local WebSocket gateway', () => {
  it('refuses a handshake without a token with 401, without calling the authorizer', async () => {
    expect((await connect('')).status).toBe(401);
    expect(authorizerEvents).toEqual([]);
  });

  it("refuses with 401 on 'Unauthorized', 403 on a Deny policy, and the status of a failed $connect", async () => {
    expect((await connect('?token=bad')).status).toBe(401);
    expect((await connect('?token=deny')).status).toBe(403);
    connectStatus = 500;
    expect((await connect('?token=good')).status).toBe(500);
  });

  it('builds API Gateway events: authorizer input, $connect, routed messages, $disconnect', async () => {
    const { socket } = await connect('?token=good&x=1');
    const connectionId = await connectedId();
    expect(authorizerEvents[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/^arn:aws:execute-api:us-east-1:\d+:local\/test\/\$connect$/),
      queryStringParameters: { token: 'good', x: '1' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId, stage: 'test' },
    });
    expect(events[0]?.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId,
      stage: 'test',
      apiId: 'local',
      domainName: expect.stringContaining('127.0.0.1'),
      connectedAt: expect.any(Number),
      // API Gateway stringifies the context and adds the principal.
      authorizer: {
        principalId: 'alice',
        userId: 'alice',
        isAdmin: 'false',
        integrationLatency: expect.any(Number),
      },
    });

    socket.send('"first"');
    socket.send('{"action":"ping"}');
    socket.send('{"action":"subscribe","jobId":"j"}');
    socket.send('{"action":"dance"}');
    socket.send('not json');
    await until(() => events.length === 6);
    socket.close(1000, 'bye');
    await until(() => events.length === 7);

    expect(events.slice(1, 6).map((event) => [event.requestContext.routeKey, event.body])).toEqual([
      ['$default', '"first"'],
      ['ping', '{"action":"ping"}'],
      ['subscribe', '{"action":"subscribe","jobId":"j"}'],
      ['$default', '{"action":"dance"}'],
      ['$default', 'not json'],
    ]);
    expect(events[2]?.requestContext).toMatchObject({
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      connectionId,
      messageId: expect.any(String),
      authorizer: { userId: 'alice' },
    });
    expect(events[6]?.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId,
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
    });
  });
});

/** Resolves with the close code the server sent. */
const closedWith = (socket: WebSocket): Promise<number> =>
  new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));

describe("API Gateway's WebSocket limits", () => {
  it('disconnects a client that sends a binary frame with 1003, and no route sees it', async () => {
    const { socket } = await connect('?token=good');
    await connectedId();
    const closed = closedWith(socket);
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await closed).toBe(1003);
    expect(events.filter((event) => event.requestContext.eventType === 'MESSAGE')).toEqual([]);
  });

  it('closes with 1009 on a frame over 32 KB, but takes a 100 KB message sent as 25 KB frames', async () => {
    const first = await connect('?token=good');
    const closed = closedWith(first.socket);
    first.socket.send('x'.repeat(32 * 1024 + 1));
    expect(await closed).toBe(1009);

    events.length = 0;
    const second = await connect('?token=good');
    await connectedId();
    const part = 'y'.repeat(25 * 1024);
    for (let i = 0; i < 4; i++) second.socket.send(part, { fin: i === 3 });
    const message = await until(() => events.find((event) => event.requestContext.eventType === 'MESSAGE'));
    expect(message.body).toHaveLength(100 * 1024);
    second.socket.close();
  });

  it('refuses a connection URL over 4,096 characters with 414 before the authorizer runs', async () => {
    const refused = await connect(`?token=good&pad=${'p'.repeat(4_100)}`);
    expect(refused.status).toBe(414);
    expect(authorizerEvents).toEqual([]);
    const accepted = await connect(`?token=good&pad=${'p'.repeat(3_000)}`);
    expect(accepted.status).toBeUndefined();
    accepted.socket.close();
  });
});

describe('local management API through the SDK', () => {
  it('posts to a live connection and answers GoneException (410) for one that is not', async () => {
    const { socket, frames } = await connect('?token=good');
    const connectionId = await connectedId();

    await sdk.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{"type":"pong"}') }),
    );
    await until(() => frames.length === 1);
    expect(frames).toEqual(['{"type":"pong"}']);

    const info = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.Identity?.SourceIp).toBeTruthy();

    socket.close();
    await disconnected(connectionId);
    await expect(
      sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(GoneException);
    await expect(
      sdk.send(new PostToConnectionCommand({ ConnectionId: 'never+existed=', Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  it('refuses data over 128 KB with PayloadTooLargeException', async () => {
    const { socket } = await connect('?token=good');
    const connectionId = await connectedId();
    await expect(
      sdk.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(129 * 1024, 97) }),
      ),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
    socket.close();
    await disconnected(connectionId);
  });

  it('closes a connection on DeleteConnection', async () => {
    const { socket } = await connect('?token=good');
    const connectionId = await connectedId();
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(await closed).toBe(1000);
    await disconnected(connectionId);
  });
});
