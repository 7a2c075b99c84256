/**
 * The local stand-in for API Gateway's HTTP API: turns each request into a payload-2.0 event, runs the
 * Lambda authorizer on protected routes, invokes the route's handler in-process, and writes its response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RouteDefinition } from '../api/routes.ts';
import type { AuthorizerResult } from '../handlers/authorizer.ts';
import {
  answerClientError,
  headerLimitRefusal,
  MAX_SYNC_PAYLOAD_BYTES,
  NODE_MAX_HEADER_BYTES,
  REQUEST_RECEIVE_TIMEOUT_MS,
  type Refusal,
  refusal,
  requestLineAndHeaderBytes,
} from './gateway-limits.ts';
import { lambdaContext } from './lambda-context.ts';
import { RequestAbortedError, readBody } from './read-body.ts';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
type Authorizer = (event: { headers: Record<string, string> }) => Promise<AuthorizerResult>;

export interface HttpGatewayOptions {
  port: number;
  host?: string;
  routes: RouteDefinition[];
  loadHandler(route: RouteDefinition): Promise<HttpLambda>;
  authorizer: Authorizer;
  /** The payload a Lambda-backed route accepts (Lambda's 6 MB); the handlers enforce the contract's smaller one. */
  maxBodyBytes?: number;
  functionTimeoutMs?: number;
  /** How long a client may take to send its whole request (30 s); tests shorten it. */
  requestTimeoutMs?: number;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

export async function startHttpGateway(
  options: HttpGatewayOptions,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  // Static routes win over parameterised ones, as in API Gateway (`/jobs/count` before `/jobs/{id}`).
  const compiled = options.routes.map(compile).sort((a, b) => a.params.length - b.params.length);
  const handlers = new Map<RouteDefinition, HttpLambda>();
  for (const route of options.routes) handlers.set(route, await options.loadHandler(route));
  const maxBody = options.maxBodyBytes ?? MAX_SYNC_PAYLOAD_BYTES;
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_RECEIVE_TIMEOUT_MS;

  const server: Server = createServer(
    {
      maxHeaderSize: NODE_MAX_HEADER_BYTES,
      requestTimeout,
      headersTimeout: requestTimeout,
      // How often Node checks those timeouts (30 s by default would let a stalled request wait a minute).
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
    },
    (req, res) => {
      serve(req, res).catch((error: unknown) => {
        // The client left (or was cut off by the receive timeout, already answered 408): nobody to answer.
        if (error instanceof RequestAbortedError || res.destroyed) return;
        process.stderr.write(`local gateway: ${error instanceof Error ? error.stack : String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(errorBody('internal_error', 'Something went wrong on our side'));
      });
    },
  );
  server.on('clientError', answerClientError);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const tooBig = headerLimitRefusal(
      Buffer.byteLength(`${method} ${req.url ?? '/'} HTTP/${req.httpVersion}`),
      requestLineAndHeaderBytes(method, req.url ?? '/', req.httpVersion, req.rawHeaders),
    );
    if (tooBig) return refuse(res, tooBig);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) return refuse(res, refusal(413));
    const url = requestUrl(req.url);
    if (!url) return refuse(res, refusal(400));
    const match = compiled
      .filter((candidate) => candidate.route.method === method)
      .map((candidate) => ({ candidate, found: candidate.pattern.exec(url.pathname) }))
      .find(({ found }) => found !== null);
    const raw = await readBody(req, maxBody);
    if (raw === null) return refuse(res, refusal(413));
    const body = raw.toString('utf8');
    if (!match?.found) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(errorBody('not_found', `No route ${method} ${url.pathname}`));
      return;
    }
    const { route, params } = match.candidate;
    const pathParameters = Object.fromEntries(
      params.map((name, i) => [name, decodePathSegment(match.found?.[i + 1] ?? '')]),
    );
    const event = toEvent(req, url, method, route, pathParameters, body);
    if (route.access !== 'public') {
      const verdict = await options.authorizer({ headers: event.headers as Record<string, string> });
      if (!verdict.isAuthorized) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Forbidden' }));
        return;
      }
      (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: verdict.context };
    }
    const handler = handlers.get(route) as HttpLambda;
    const result = await handler(event, lambdaContext(route.handler, options.functionTimeoutMs ?? 29_000));
    res.writeHead(result.statusCode ?? 200, {
      'content-type': 'application/json',
      ...stringHeaders(result.headers),
    });
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request target as a URL; `//x/jobs` stays the path `//x/jobs` (never a host), `*` is refused. */
function requestUrl(target: string | undefined): URL | null {
  if (!target?.startsWith('/')) return null;
  try {
    return new URL(`http://local${target}`);
  } catch {
    return null;
  }
}

/** API Gateway's own refusals carry its status and `{"message"}` body (shared/API.md, Errors). */
function refuse(res: ServerResponse, { status, body }: Refusal): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Path parameters arrive percent-decoded; a segment that is not valid percent-encoding (`%ZZ`) is passed on
 * as sent, so the handler answers it like any other unknown id instead of the decoder throwing.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const routeKey = `${route.method} ${route.path}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body }),
    isBase64Encoded: false,
  };
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}
