/**
 * The HTTP API Lambda authorizer (payload 2.0, simple responses). It verifies the bearer JWT and hands its
 * verdict to the route in the authorizer context; the route's `authenticate` middleware answers 401/403 in
 * the contract's error shape.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { bearerToken, createVerifier, TokenError } from '../adapters/auth/jwt-verifier.ts';
import type { AuthorizerContext } from '../api/middleware/authenticate.ts';
import { loadAuthConfig } from '../wiring/auth-config.ts';
import { logger } from '../wiring/logger.ts';

// Read once per cold start (the HS256 secret from Secrets Manager when deployed).
const verify = createVerifier(await loadAuthConfig());

export interface AuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

export async function handler(
  event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>,
): Promise<AuthorizerResult> {
  const token = bearerToken(event.headers?.authorization ?? event.headers?.Authorization);
  if (!token) return { isAuthorized: true, context: { reason: 'no bearer token' } };
  try {
    const principal = await verify(token);
    return { isAuthorized: true, context: { userId: principal.userId, isAdmin: principal.isAdmin } };
  } catch (error) {
    if (!(error instanceof TokenError)) logger.error('token verification failed', { error });
    const reason = error instanceof TokenError ? error.message : 'the token could not be verified';
    return { isAuthorized: true, context: { reason } };
  }
}
