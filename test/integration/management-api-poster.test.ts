/**
 * The ConnectionPoster over the real management API client: against the local management API (what
 * `npm start` serves) for delivered, gone and oversized posts, and against a stub answering what the local
 * one never does (Forbidden, a server error) in API Gateway's error shape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManagementApiPoster } from '../../functions/adapters/realtime/management-api-poster.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from '../../functions/local/local-aws.ts';
import {
  ConnectionRegistry,
  type LiveConnection,
} from '../../functions/local/realtime/connection-registry.ts';
import { type ManagementApi, startManagementApi } from '../../functions/local/realtime/management-api.ts';
import { ConnectionPostError } from '../../functions/usecases/realtime/ports.ts';

const registry = new ConnectionRegistry();
const received: string[] = [];
let api: ManagementApi;
let stub: Server;
let stubUrl: string;

const posterFor = (endpoint: string) =>
  new ManagementApiPoster(
    new ApiGatewayManagementApiClient({ endpoint, region, credentials, maxAttempts: 1 }),
  );

/** A connection whose socket accepts every frame (the registry only needs `readyState` and `send`). */
function openConnection(connectionId: string): void {
  const socket = {
    readyState: WebSocket.OPEN,
    send: (data: Buffer, _options: unknown, done: (error?: Error) => void) => {
      received.push(data.toString());
      done();
    },
  } as unknown as WebSocket;
  const now = Date.now();
  const connection: LiveConnection = {
    connectionId,
    socket,
    connectedAt: now,
    lastActiveAt: now,
    sourceIp: '127.0.0.1',
    userAgent: 'test',
  };
  registry.add(connection);
}

beforeAll(async () => {
  api = await startManagementApi({ registry, host: '127.0.0.1' });
  stub = createServer((req, res) => {
    const [status, type] = req.url?.includes('forbidden')
      ? [403, 'ForbiddenException']
      : [500, 'InternalServerErrorException'];
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message: type }));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => stub?.close(resolve));
});

async function postError(
  poster: ManagementApiPoster,
  id: string,
  data: string,
): Promise<ConnectionPostError> {
  const error = await poster.post(id, data).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectionPostError);
  return error as ConnectionPostError;
}

describe('ManagementApiPoster', () => {
  it('delivers to a live connection', async () => {
    openConnection('live-connection');
    expect(await posterFor(api.endpoint).post('live-connection', '{"type":"pong"}')).toBe('sent');
    expect(received).toContain('{"type":"pong"}');
  });

  it('maps GoneException (410) to gone, so the connection is forgotten', async () => {
    expect(await posterFor(api.endpoint).post('never-connected', '{}')).toBe('gone');
  });

  it('maps PayloadTooLargeException (413) to a permanent failure', async () => {
    openConnection('big-connection');
    const error = await postError(posterFor(api.endpoint), 'big-connection', 'x'.repeat(129 * 1024));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('PayloadTooLarge');
  });

  it('maps ForbiddenException (403) to a permanent failure', async () => {
    const error = await postError(posterFor(`${stubUrl}/forbidden`), 'any', '{}');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Forbidden');
  });

  it('leaves a server error retryable', async () => {
    const error = await postError(posterFor(`${stubUrl}/broken`), 'any', '{}');
    expect(error.retryable).toBe(true);
  });
});
