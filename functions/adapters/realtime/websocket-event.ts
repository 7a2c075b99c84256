/**
 * The API Gateway WebSocket events the handlers receive. The `$connect` authorizer's context reaches every
 * later event of the connection in `requestContext.authorizer`, its values stringified.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  APIGatewayRequestAuthorizerEventHeaders,
  APIGatewayRequestAuthorizerEventQueryStringParameters,
} from 'aws-lambda';
import type { Principal } from '../auth/jwt-verifier.ts';

/** What the ws authorizer puts in its policy's context (API Gateway adds principalId). */
export interface WsAuthorizerContext {
  principalId?: string;
  userId?: string;
  isAdmin?: string | boolean;
  /** Epoch seconds at which the connect token expires. */
  tokenExpiresAt?: string | number;
  [key: string]: unknown;
}

export type WsRequestContext = APIGatewayEventWebsocketRequestContextV2 & {
  identity?: { sourceIp: string; userAgent?: string };
  authorizer?: WsAuthorizerContext | null;
  disconnectStatusCode?: number;
  disconnectReason?: string;
};

/** `headers` are present on `$connect` and `$disconnect` only. */
export type WsEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<WsRequestContext> & {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
};

export interface WsResult {
  statusCode: number;
  body?: string;
}

/** The REQUEST authorizer's input on a WebSocket API (no path or HTTP method; methodArn ends in $connect). */
export interface WsAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: APIGatewayRequestAuthorizerEventHeaders | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: APIGatewayRequestAuthorizerEventQueryStringParameters | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  stageVariables?: Record<string, string | undefined> | null;
  requestContext?: Partial<WsRequestContext>;
}

export type WsAuthorizerResult = APIGatewayAuthorizerResult & {
  context: { userId: string; isAdmin: string; tokenExpiresAt?: string };
};

/** The caller's identity from the authorizer context; undefined when there is none. */
export function principalOf(event: Pick<WsEvent, 'requestContext'>): Principal | undefined {
  const context = event.requestContext.authorizer;
  const userId = context?.userId ?? context?.principalId;
  if (typeof userId !== 'string' || userId.length === 0) return undefined;
  const isAdmin = context?.isAdmin === true || context?.isAdmin === 'true';
  const tokenExpiresAt = Number(context?.tokenExpiresAt);
  return Number.isFinite(tokenExpiresAt) && context?.tokenExpiresAt !== undefined
    ? { userId, isAdmin, tokenExpiresAt }
    : { userId, isAdmin };
}
