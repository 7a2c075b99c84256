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
import { lambdaContext } from './lambda-context.ts';
import { readBody } from './read-body.ts';

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
  /** API Gateway's own payload limit (10 MB); the handlers enforce the contract's smaller one. */
  maxBodyBytes?: number;
  functionTimeoutMs?: number;
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
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      process.stderr.write(`local gateway: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody('internal_error', 'Something went wrong on our side'));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = compiled
      .filter((candidate) => candidate.route.method === method)
      .map((candidate) => ({ candidate, found: candidate.pattern.exec(url.pathname) }))
      .find(({ found }) => found !== null);
    const raw = await readBody(req, maxBody);
    if (raw === null) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(errorBody('payload_too_large', `The request body is larger than ${maxBody} bytes`));
      return;
    }
    const body = raw.toString('utf8');
    if (!match?.found) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(errorBody('not_found', `No route ${method} ${url.pathname}`));
      return;
    }
    const { route, params } = match.candidate;
    const pathParameters = Object.fromEntries(
      params.map((name, i) => [name, decodeURIComponent(match.found?.[i + 1] ?? '')]),
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
