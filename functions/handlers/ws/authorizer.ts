/**
 * The WebSocket API's `$connect` authorizer (REQUEST type, identity source `route.request.querystring.token`).
 * A valid token gets an Allow policy for the connect route, with the user in the policy context that API
 * Gateway passes to every later event of the connection. A missing or bad token throws 'Unauthorized',
 * which API Gateway turns into a 401 answer to the handshake; any other failure is a 500.
 */
import middy from '@middy/core';
import { createVerifier, type Principal, TokenError } from '../../adapters/auth/jwt-verifier.ts';
import type { WsAuthorizerEvent, WsAuthorizerResult } from '../../adapters/realtime/websocket-event.ts';
import type { Logger } from '../../agents/registry.ts';
import { loadAuthConfig } from '../../wiring/auth-config.ts';
import { logger } from '../../wiring/logger.ts';

/** The exact message API Gateway maps to 401. */
export const UNAUTHORIZED = 'Unauthorized';

export function createAuthorizer(verify: (token: string) => Promise<Principal>, log: Logger) {
  return async (event: WsAuthorizerEvent): Promise<WsAuthorizerResult> => {
    const token = event.queryStringParameters?.token;
    if (!token) throw new Error(UNAUTHORIZED);
    let principal: Principal;
    try {
      principal = await verify(token);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      log.info('websocket token refused', { reason: error.message });
      throw new Error(UNAUTHORIZED);
    }
    return {
      principalId: principal.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      // API Gateway stringifies context values anyway; strings keep both sides honest.
      // tokenExpiresAt: the connection is closed when its token expires (see usecases/realtime/connections.ts).
      context: {
        userId: principal.userId,
        isAdmin: String(principal.isAdmin),
        ...(principal.tokenExpiresAt !== undefined && { tokenExpiresAt: String(principal.tokenExpiresAt) }),
      },
    };
  };
}

// No middlewares: an authorizer's whole contract is its policy or the 'Unauthorized' error.
export const handler = middy<WsAuthorizerEvent, WsAuthorizerResult>().handler(
  // Read once per cold start (the HS256 secret from Secrets Manager when deployed).
  createAuthorizer(createVerifier(await loadAuthConfig()), logger),
);
