/**
 * Builds a thin HTTP handler: the route's access level and body handling are declared, the middy chain is
 * the same for every route, and the handler function only parses, calls one use case and maps the result.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Principal } from '../adapters/auth/jwt-verifier.ts';
import type { Logger } from '../agents/registry.ts';
import { MAX_REQUEST_BODY_BYTES } from '../core/limits.ts';
import { type Access, type AuthenticatedEvent, authenticate } from './middleware/authenticate.ts';
import { errorResponses } from './middleware/error-responses.ts';
import { type JsonBodyEvent, jsonBody } from './middleware/json-body.ts';
import { jsonContentType } from './middleware/json-content-type.ts';
import type { HttpResult } from './respond.ts';

export type HttpEvent = AuthenticatedEvent & JsonBodyEvent;

/** The largest request body a route takes (5 MiB, core/limits.ts); params past 256 KiB go to S3. */
export const BODY_LIMIT_BYTES = MAX_REQUEST_BODY_BYTES;

export interface HttpRequest {
  event: HttpEvent;
  /** Present on every non-public route. */
  principal: Principal;
  body: unknown;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  context: Context;
}

export interface HttpHandlerOptions {
  access: Access;
  logger: Logger;
  /** Parse a JSON body (routes that take one). */
  body?: boolean;
}

export function httpHandler(
  options: HttpHandlerOptions,
  handle: (request: HttpRequest) => Promise<HttpResult>,
) {
  const base = async (event: HttpEvent, context: Context): Promise<HttpResult> =>
    handle({
      event,
      principal: event.principal ?? { userId: '', isAdmin: false },
      body: event.json,
      path: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      context,
    });
  const chain = middy<HttpEvent, HttpResult>()
    // First in, last out: catches everything the later middlewares and the handler throw.
    .use(errorResponses({ logger: options.logger }))
    // Deny by default: only routes declared public skip the identity check.
    .use(authenticate({ access: options.access }))
    // Any body, on any route, must be JSON in UTF-8 (415 otherwise), before anything tries to parse it.
    .use(jsonContentType());
  // Only routes that take a body parse one.
  if (options.body) chain.use(jsonBody({ limitBytes: BODY_LIMIT_BYTES }));
  return chain.handler(base);
}
