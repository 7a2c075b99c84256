/**
 * The local stand-in for API Gateway's management API (the stage's `@connections` callback URL), so the
 * handlers post with the real `@aws-sdk/client-apigatewaymanagementapi` client:
 * - `POST /@connections/{id}`: the body goes to the client as one text frame; 200.
 * - `GET /@connections/{id}`: `{connectedAt, identity: {sourceIp, userAgent}, lastActiveAt}`.
 * - `DELETE /@connections/{id}`: closes the connection; 204.
 * An unknown or closed connection answers 410 with `x-amzn-errortype: GoneException` (what the SDK parses
 * into GoneException); data over 128 KB answers 413 PayloadTooLargeException. A stage prefix in the path
 * (`/{stage}/@connections/...`) is accepted. Requests are not authenticated: bind it to loopback.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { readBody } from '../read-body.ts';
import type { ConnectionRegistry } from './connection-registry.ts';

/** API Gateway's WebSocket message limit (frames are 32 KB; a message may span several). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

export interface ManagementApi {
  endpoint: string;
  close(): Promise<void>;
}

const PATH = /^(?:\/[^/]+)?\/@connections\/([^/?]+)$/;

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message }));
}

export async function startManagementApi(options: {
  registry: ConnectionRegistry;
  port?: number;
  host?: string;
}): Promise<ManagementApi> {
  const { registry } = options;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (!match) return sendError(res, 404, 'NotFoundException', 'No such resource');
    const connectionId = decodeURIComponent(match[1] ?? '');
    const body = await readBody(req, MAX_MESSAGE_BYTES);
    const live = registry.get(connectionId);
    const open = live?.socket.readyState === WebSocket.OPEN;
    if (req.method === 'POST') {
      if (body === null) return sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
      if (!live || !open) return sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
      const sent = await new Promise<boolean>((resolve) =>
        live.socket.send(body, { binary: false }, (error) => resolve(!error)),
      );
      if (!sent) return sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
      registry.touch(connectionId);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end();
    }
    if (!live || !open) return sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          connectedAt: new Date(live.connectedAt).toISOString(),
          identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
          lastActiveAt: new Date(live.lastActiveAt).toISOString(),
        }),
      );
    }
    if (req.method === 'DELETE') {
      live.socket.close(1000, 'Connection deleted');
      res.writeHead(204);
      return void res.end();
    }
    return sendError(res, 405, 'MethodNotAllowedException', `${req.method} is not supported`);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalServerErrorException', String(error));
      else res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
