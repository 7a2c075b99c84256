/**
 * The local stand-in for API Gateway's HTTP API: turns each request into a payload-2.0 event, runs the
 * Lambda authorizer on protected routes, invokes the route's handler in-process, and writes its response.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import type { RouteDefinition } from '../api/routes.ts';
import type { AuthorizerResult } from '../handlers/authorizer.ts';
import { applyCors, type CorsSettings, withoutCorsHeaders } from './cors.ts';
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
import { toAuthorizerEvent, toHttpEvent } from './http-event.ts';
import { type GatewayAnswer, invokeIntegration } from './http-integration.ts';
import { RequestAbortedError, readBody } from './read-body.ts';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
type Authorizer = (event: APIGatewayRequestAuthorizerEventV2, context: Context) => Promise<AuthorizerResult>;

export interface HttpGatewayOptions {
  port: number;
  host?: string;
  routes: RouteDefinition[];
  loadHandler(route: RouteDefinition): Promise<HttpLambda>;
  authorizer: Authorizer;
  /** The payload a Lambda-backed route accepts (Lambda's 6 MB); the handlers enforce the contract's smaller one. */
  maxBodyBytes?: number;
  /** Each route's function timeout (infra/function-settings.ts); 29 s by default. */
  functionTimeoutMs?: number | ((route: RouteDefinition) => number);
  authorizerTimeoutMs?: number;
  /** API Gateway's integration timeout, 30 s. */
  integrationTimeoutMs?: number;
  /** How long a client may take to send its whole request (30 s); tests shorten it. */
  requestTimeoutMs?: number;
  /** The API's CORS configuration (the dashboard's origin locally); none: no CORS headers at all. */
  cors?: CorsSettings;
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
    if (options.cors && applyCors(options.cors, req, res)) return;
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
    if (!match?.found) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(errorBody('not_found', `No route ${method} ${url.pathname}`));
      return;
    }
    const { route, params } = match.candidate;
    const pathParameters = Object.fromEntries(
      params.map((name, i) => [name, decodePathSegment(match.found?.[i + 1] ?? '')]),
    );
    const event = toHttpEvent({ req, url, method, route, pathParameters, body: raw });
    const answer = ({ statusCode, body }: GatewayAnswer) => {
      res.writeHead(statusCode, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (route.access !== 'public') {
      const authorized = await invokeIntegration(options.authorizer, toAuthorizerEvent(event), {
        functionName: 'authorizer',
        functionTimeoutMs: options.authorizerTimeoutMs ?? 10_000,
        ...(options.integrationTimeoutMs && { integrationTimeoutMs: options.integrationTimeoutMs }),
      });
      if (!authorized.ok) return answer(authorized.answer);
      const verdict = authorized.result;
      if (!verdict.isAuthorized) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Forbidden' }));
        return;
      }
      (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: verdict.context };
    }
    const handler = handlers.get(route) as HttpLambda;
    const { functionTimeoutMs = 29_000 } = options;
    const outcome = await invokeIntegration(handler, event, {
      functionName: route.handler,
      functionTimeoutMs: typeof functionTimeoutMs === 'number' ? functionTimeoutMs : functionTimeoutMs(route),
      ...(options.integrationTimeoutMs && { integrationTimeoutMs: options.integrationTimeoutMs }),
    });
    if (!outcome.ok) return answer(outcome.answer);
    const result = outcome.result;
    res.writeHead(result.statusCode ?? 200, {
      'content-type': 'application/json',
      ...(options.cors ? withoutCorsHeaders(stringHeaders(result.headers)) : stringHeaders(result.headers)),
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

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
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
