/**
 * The events API Gateway's HTTP API hands to Lambda (payload format 2.0), built from a local request:
 * - `cookies`: the Cookie header split into its cookies (the header itself is then left out of `headers`);
 * - `isBase64Encoded`: bodies with a non-text content type arrive base64-encoded, text ones as is;
 * - `requestContext.time` in API Gateway's CLF format ("12/Mar/2020:19:03:58 +0000");
 * - the Lambda authorizer's REQUEST event (payload 2.0: `type`, `routeArn`, `identitySource`, and the
 *   request's route key, path, query, headers, cookies and request context).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { RouteDefinition } from '../api/routes.ts';

const ACCOUNT = '000000000000';
const API_ID = 'local';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestContext.time`: dd/MMM/yyyy:HH:mm:ss +0000 (UTC). */
export function requestTime(date: Date): string {
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Content types whose bodies HTTP APIs pass as text; every other body is base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/javascript'].includes(type) ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

export function cookiesOf(header: string | undefined): string[] {
  return (header ?? '')
    .split(';')
    .map((cookie) => cookie.trim())
    .filter(Boolean);
}

export interface LocalRequest {
  req: Pick<IncomingMessage, 'headers' | 'httpVersion'> & { socket: { remoteAddress?: string } };
  url: URL;
  method: string;
  route: RouteDefinition;
  pathParameters: Record<string, string>;
  body: Buffer;
  now?: Date;
}

export function toHttpEvent(request: LocalRequest): APIGatewayProxyEventV2 {
  const { req, url, method, route, pathParameters, body } = request;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = cookiesOf(headers.cookie);
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const routeKey = `${route.method} ${route.path}`;
  const now = request.now ?? new Date();
  const text = isTextContentType(headers['content-type']);
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
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
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: body.toString(text ? 'utf8' : 'base64') }),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** The REQUEST authorizer's event (payload 2.0) for a request to a protected route. */
export function toAuthorizerEvent(event: APIGatewayProxyEventV2): APIGatewayRequestAuthorizerEventV2 {
  const { method } = event.requestContext.http;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/${event.requestContext.stage}/${method}${event.rawPath}`,
    // The stack's authorizer has no identity source (see infra/constructs/http-api.ts).
    identitySource: [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    ...(event.cookies && { cookies: event.cookies }),
    headers: event.headers as Record<string, string>,
    ...(event.queryStringParameters && {
      queryStringParameters: event.queryStringParameters as Record<string, string>,
    }),
    requestContext: event.requestContext,
    ...(event.pathParameters && { pathParameters: event.pathParameters as Record<string, string> }),
  } as APIGatewayRequestAuthorizerEventV2;
}
