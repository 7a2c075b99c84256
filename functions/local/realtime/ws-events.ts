/**
 * API Gateway WebSocket events as the handlers get them on AWS: the REQUEST authorizer's input on
 * `$connect`, then CONNECT, MESSAGE and DISCONNECT events with the same `requestContext` (connection id,
 * route key, stage, domain, the authorizer's context...).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type {
  WsAuthorizerContext,
  WsAuthorizerEvent,
  WsEvent,
  WsRequestContext,
} from '../../adapters/realtime/websocket-event.ts';

export const LOCAL_API_ID = 'local';
const ACCOUNT = '000000000000';

/** What every event of one connection shares. */
export interface ConnectionInfo {
  connectionId: string;
  connectedAt: number;
  domainName: string;
  stage: string;
  region: string;
  sourceIp: string;
  userAgent: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: Record<string, string>;
  multiValueQuery: Record<string, string[]>;
}

export function connectionInfo(
  connectionId: string,
  url: URL,
  headers: IncomingHttpHeaders,
  sourceIp: string,
  settings: { stage: string; region: string },
): ConnectionInfo {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    single[name] = values.join(',');
    multi[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  return {
    connectionId,
    connectedAt: Date.now(),
    domainName: single.host ?? 'localhost',
    stage: settings.stage,
    region: settings.region,
    sourceIp,
    userAgent: single['user-agent'] ?? '',
    headers: single,
    multiValueHeaders: multi,
    query,
    multiValueQuery: multiQuery,
  };
}

/** `19/Jan/2023:21:13:26 +0000`, API Gateway's requestTime. */
function requestTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day?.padStart(2, '0')}/${month}/${year}:${time} +0000`;
}

function requestContext(
  info: ConnectionInfo,
  routeKey: string,
  eventType: WsRequestContext['eventType'],
  authorizer?: WsAuthorizerContext,
): WsRequestContext {
  const now = new Date();
  const requestId = randomUUID();
  return {
    routeKey,
    messageId: eventType === 'MESSAGE' ? randomUUID().replace(/-/g, '').slice(0, 16) : '',
    eventType,
    extendedRequestId: requestId,
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: info.stage,
    connectedAt: info.connectedAt,
    requestTimeEpoch: now.getTime(),
    requestId,
    domainName: info.domainName,
    connectionId: info.connectionId,
    apiId: LOCAL_API_ID,
    identity: { sourceIp: info.sourceIp, userAgent: info.userAgent },
    ...(authorizer && { authorizer }),
  };
}

export function authorizerEvent(info: ConnectionInfo): WsAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${info.region}:${ACCOUNT}:${LOCAL_API_ID}/${info.stage}/$connect`,
    headers: info.headers,
    multiValueHeaders: info.multiValueHeaders,
    queryStringParameters: info.query,
    multiValueQueryStringParameters: info.multiValueQuery,
    stageVariables: {},
    requestContext: requestContext(info, '$connect', 'CONNECT'),
  };
}

export function connectEvent(info: ConnectionInfo, authorizer: WsAuthorizerContext): WsEvent {
  return {
    headers: info.headers,
    multiValueHeaders: info.multiValueHeaders,
    queryStringParameters: info.query,
    multiValueQueryStringParameters: info.multiValueQuery,
    requestContext: requestContext(info, '$connect', 'CONNECT', authorizer),
    isBase64Encoded: false,
  };
}

export function messageEvent(
  info: ConnectionInfo,
  authorizer: WsAuthorizerContext,
  routeKey: string,
  body: string,
  isBase64Encoded: boolean,
): WsEvent {
  return {
    requestContext: requestContext(info, routeKey, 'MESSAGE', authorizer),
    body,
    isBase64Encoded,
  };
}

export function disconnectEvent(
  info: ConnectionInfo,
  authorizer: WsAuthorizerContext,
  statusCode: number,
  reason: string,
): WsEvent {
  return {
    headers: info.headers,
    multiValueHeaders: info.multiValueHeaders,
    requestContext: {
      ...requestContext(info, '$disconnect', 'DISCONNECT', authorizer),
      disconnectStatusCode: statusCode,
      disconnectReason: reason,
    },
    isBase64Encoded: false,
  };
}

/** API Gateway's route selection on `$request.body.action`: a JSON body whose action is a route, or `$default`. */
export function selectRoute(body: string, routeKeys: readonly string[]): string {
  try {
    const json: unknown = JSON.parse(body);
    const action =
      typeof json === 'object' && json !== null ? (json as { action?: unknown }).action : undefined;
    return typeof action === 'string' && routeKeys.includes(action) ? action : '$default';
  } catch {
    return '$default';
  }
}
