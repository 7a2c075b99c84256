/**
 * The local stand-in for an API Gateway WebSocket API: a `ws` server that turns a handshake into the
 * `$connect` authorizer and handler, each text frame into a MESSAGE event routed on `$request.body.action`,
 * and a close into `$disconnect`, and invokes the deployed handlers in-process.
 * - Handshake: no `token` query parameter (the identity source) or an 'Unauthorized' authorizer error →
 *   401; a Deny policy → 403; a `$connect` answer other than 2xx refuses the upgrade with its status.
 * - A connection closes after 10 idle minutes and after 2 hours (1001), as on AWS; a frame over 32 KB or a
 *   message over 128 KB closes it with 1009, a binary frame with 1003 (API Gateway takes text only).
 * - A connection URL over 4,096 characters is refused with 414 before the authorizer runs.
 * - Nothing depends on `$disconnect` (best-effort on AWS): connection records expire on their own.
 * - A connection's messages are handled one at a time, in order (API Gateway may run them concurrently).
 * Route responses are not emulated: replies go through the management API, as the handlers send them.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Context } from 'aws-lambda';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type {
  WsAuthorizerContext,
  WsAuthorizerEvent,
  WsEvent,
  WsResult,
} from '../../adapters/realtime/websocket-event.ts';
import {
  answerClientError,
  MAX_WS_FRAME_BYTES,
  MAX_WS_URL_CHARS,
  NODE_MAX_HEADER_BYTES,
  refusal,
  writeRawRefusal,
} from '../gateway-limits.ts';
import { lambdaContext } from '../lambda-context.ts';
import { type ConnectionRegistry, newConnectionId } from './connection-registry.ts';
import { MAX_MESSAGE_BYTES } from './management-api.ts';
import {
  authorizerEvent,
  type ConnectionInfo,
  connectEvent,
  connectionInfo,
  disconnectEvent,
  messageEvent,
  selectRoute,
} from './ws-events.ts';

interface PolicyResult {
  principalId: string;
  policyDocument: { Statement: Array<{ Effect: string }> };
  context?: Record<string, unknown> | null;
}

export interface WsHandlers {
  authorizer(event: WsAuthorizerEvent, context: Context): Promise<PolicyResult>;
  connect(event: WsEvent, context: Context): Promise<WsResult | undefined>;
  message(event: WsEvent, context: Context): Promise<WsResult | undefined>;
  disconnect(event: WsEvent, context: Context): Promise<WsResult | undefined>;
}

export interface WsGatewayOptions {
  port: number;
  host?: string;
  registry: ConnectionRegistry;
  handlers: WsHandlers;
  /** Route keys besides $connect/$disconnect/$default. */
  routeKeys: readonly string[];
  stage?: string;
  region?: string;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  /** Handler failures (the client sees a refused handshake or nothing, as on AWS). */
  onError?: (error: unknown) => void;
}

export interface WsGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** API Gateway's integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** A refused handshake: API Gateway's status and `{"message"}` body. */
const refuse = (socket: Socket, status: number): void => writeRawRefusal(socket, refusal(status));

interface FrameReceiver {
  _opcode: number;
  _payloadLength: number;
  haveLength(cb: (error?: Error) => void): void;
  createError(kind: typeof RangeError, message: string, prefix: boolean, code: number, name: string): Error;
}

/**
 * API Gateway closes a connection (1009) on any data frame over 32 KB, while a message may span frames up
 * to 128 KB (`maxPayload`). `ws` only limits whole messages, so the frame check wraps the step where its
 * receiver has just read a frame's length (ws 8 internals; the gateway tests fail if they change).
 */
function limitFrameSize(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: FrameReceiver })._receiver;
  if (!receiver || typeof receiver.haveLength !== 'function')
    throw new Error('ws receiver internals changed');
  const haveLength = receiver.haveLength;
  receiver.haveLength = function (this: FrameReceiver, cb) {
    if (this._opcode < 0x08 && this._payloadLength > MAX_WS_FRAME_BYTES) {
      cb(
        this.createError(RangeError, 'Frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'),
      );
      return;
    }
    haveLength.call(this, cb);
  };
}

/** Closes with 1001 and waits for the close; a client that does not answer the close is cut off. */
function closeSocket(socket: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.readyState === socket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close(1001, 'Going away');
    setTimeout(() => socket.terminate(), 1000).unref();
  });
}

const succeeded = (result: WsResult | undefined): boolean =>
  !result || (result.statusCode >= 200 && result.statusCode < 300);

/** API Gateway passes the authorizer's context stringified, with principalId and integrationLatency. */
function authorizerContext(policy: PolicyResult, latencyMs: number): WsAuthorizerContext {
  const context: WsAuthorizerContext = { principalId: policy.principalId, integrationLatency: latencyMs };
  for (const [name, value] of Object.entries(policy.context ?? {})) context[name] = String(value);
  return context;
}

export async function startWsGateway(options: WsGatewayOptions): Promise<WsGateway> {
  const { registry, handlers } = options;
  const stage = options.stage ?? 'local';
  const region = options.region ?? 'us-east-1';
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
  const maxConnectionMs = options.maxConnectionMs ?? 2 * 60 * 60_000;
  const onError = options.onError ?? (() => undefined);
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };
  const context = (name: string) => lambdaContext(`ws-${name}`, INTEGRATION_TIMEOUT_MS);

  const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_BYTES }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    res.end(JSON.stringify({ message: 'Upgrade Required' }));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('clientError', answerClientError);

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    track(
      handshake(req, socket, head).catch((error: unknown) => {
        onError(error);
        if (!socket.destroyed) refuse(socket, 500);
      }),
    );
  });

  async function handshake(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    if ((req.url ?? '/').length > MAX_WS_URL_CHARS) return refuse(socket, 414);
    const url = new URL(req.url ?? '/', 'http://local');
    const info = connectionInfo(
      newConnectionId(),
      url,
      req.headers,
      req.socket.remoteAddress ?? '127.0.0.1',
      {
        stage,
        region,
      },
    );
    // The identity source: without it API Gateway answers 401 without calling the authorizer.
    if (!info.query.token) return refuse(socket, 401);
    const started = Date.now();
    let policy: PolicyResult;
    try {
      policy = await handlers.authorizer(authorizerEvent(info), context('authorizer'));
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') return refuse(socket, 401);
      throw error;
    }
    if (!policy.policyDocument.Statement.every((statement) => statement.Effect === 'Allow'))
      return refuse(socket, 403);
    const authorizer = authorizerContext(policy, Date.now() - started);
    const result = await handlers.connect(connectEvent(info, authorizer), context('connect'));
    if (!succeeded(result)) return refuse(socket, result?.statusCode ?? 500);
    if (socket.destroyed) {
      // The client left while $connect ran: API Gateway still sends $disconnect.
      await handlers.disconnect(disconnectEvent(info, authorizer, 1006, 'Going away'), context('disconnect'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => opened(ws, info, authorizer));
  }

  function opened(ws: WebSocket, info: ConnectionInfo, authorizer: WsAuthorizerContext): void {
    const { connectionId } = info;
    limitFrameSize(ws);
    const goAway = () => ws.close(1001, 'Going away');
    let idle = setTimeout(goAway, idleTimeoutMs);
    const lifetime = setTimeout(goAway, maxConnectionMs);
    registry.add({
      connectionId,
      socket: ws,
      connectedAt: info.connectedAt,
      lastActiveAt: Date.now(),
      sourceIp: info.sourceIp,
      userAgent: info.userAgent,
      onActivity: () => {
        clearTimeout(idle);
        idle = setTimeout(goAway, idleTimeoutMs);
      },
    });
    let queue: Promise<unknown> = Promise.resolve();

    ws.on('message', (data: RawData, isBinary: boolean) => {
      // API Gateway disconnects a client that sends a binary frame; no route sees it.
      if (isBinary) return ws.close(1003, 'Binary frames are not supported');
      registry.touch(connectionId);
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      const body = bytes.toString('utf8');
      const routeKey = selectRoute(body, options.routeKeys);
      queue = track(
        queue.then(() =>
          handlers
            .message(messageEvent(info, authorizer, routeKey, body, false), context('message'))
            .catch(onError),
        ),
      );
    });
    ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(idle);
      clearTimeout(lifetime);
      registry.delete(connectionId);
      const event = disconnectEvent(info, authorizer, code, reason.toString('utf8'));
      track(queue.then(() => handlers.disconnect(event, context('disconnect'))).catch(onError));
    });
    // A client breaking API Gateway's rules (WS_ERR_*) is closed with the matching code; that is not an error here.
    ws.on('error', (error: Error & { code?: string }) => {
      if (!error.code?.startsWith('WS_ERR_')) onError(error);
    });
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all(registry.all().map(({ socket }) => closeSocket(socket)));
      // Handshakes under way and the $disconnect handlers of the connections just closed.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      wss.close();
      await closing;
    },
  };
}
