/**
 * Enforces the caller's identity on every route that is not public. The Lambda authorizer verifies the token
 * and passes its verdict in the authorizer context; this middleware turns a missing or bad verdict into the
 * contract's 401, and a non-admin on an admin route into 403. (HTTP API authorizers can only answer 403 with
 * a body of their own, which would break the contract's error shape.)
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../../adapters/auth/jwt-verifier.ts';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.ts';

export type Access = 'public' | 'user' | 'admin';

/** What the authorizer puts in `requestContext.authorizer.lambda`. */
export interface AuthorizerContext {
  userId?: string;
  isAdmin?: boolean;
  reason?: string;
}

export type AuthenticatedEvent = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: AuthorizerContext } };
  principal?: Principal;
};

export function principalOf(event: AuthenticatedEvent): Principal | undefined {
  const context = event.requestContext.authorizer?.lambda;
  if (!context?.userId) return undefined;
  return { userId: context.userId, isAdmin: context.isAdmin === true || String(context.isAdmin) === 'true' };
}

export function authenticate(options: { access: Access }): middy.MiddlewareObj<AuthenticatedEvent> {
  if (!['public', 'user', 'admin'].includes(options.access))
    throw new TypeError(`unknown access ${options.access}`);
  const authenticateBefore: middy.MiddlewareFn<AuthenticatedEvent> = async (request) => {
    if (options.access === 'public') return;
    const principal = principalOf(request.event);
    if (!principal) {
      const reason = request.event.requestContext.authorizer?.lambda?.reason;
      throw new UnauthorizedError(reason ? `A valid bearer token is required: ${reason}` : undefined);
    }
    if (options.access === 'admin' && !principal.isAdmin) throw new ForbiddenError();
    request.event.principal = principal;
  };
  return { before: authenticateBefore };
}
