/**
 * Every client message: the `subscribe`, `unsubscribe` and `ping` routes and `$default`. Replies go through
 * the management API (PostToConnection), like the notifier's updates, so a snapshot is always on the wire
 * before the updates that follow it. Anything that is not a valid action answers `bad_request`.
 */
import middy from '@middy/core';
import { principalOf, type WsEvent, type WsResult } from '../../adapters/realtime/websocket-event.ts';
import type { Logger } from '../../agents/registry.ts';
import { type ClientMessage, parseClientMessage } from '../../usecases/realtime/client-messages.ts';
import { type Caller, expireConnection, hasExpired } from '../../usecases/realtime/connections.ts';
import { errorFrame } from '../../usecases/realtime/frames.ts';
import {
  reply,
  type SubscribeDeps,
  subscribeToAll,
  subscribeToJob,
  unsubscribe,
} from '../../usecases/realtime/subscribe.ts';
import { logger } from '../../wiring/logger.ts';
import { subscribeDeps } from '../../wiring/realtime-subscribe-deps.ts';

export type MessageDeps = SubscribeDeps & { logger: Logger };

export function createMessageHandler(deps: MessageDeps) {
  return async (event: WsEvent): Promise<WsResult> => {
    const { connectionId, routeKey } = event.requestContext;
    try {
      const caller = await callerOf(deps, event);
      if (!caller) {
        await reply(deps, connectionId, errorFrame('not_connected', 'This connection is closed; reconnect'));
        return { statusCode: 401 };
      }
      if (hasExpired(caller, deps.clock.now())) {
        // The token the connection was opened with ran out: nothing more is served on it.
        await reply(
          deps,
          connectionId,
          errorFrame('token_expired', 'The token expired; reconnect with a new one'),
        );
        await expireConnection(deps, connectionId);
        return { statusCode: 401 };
      }
      const parsed = parseClientMessage(routeKey, event.body);
      if (!parsed.ok) {
        await reply(deps, connectionId, errorFrame('bad_request', parsed.message));
        return { statusCode: 400 };
      }
      await dispatch(deps, caller, parsed.message);
      return { statusCode: 200 };
    } catch (error) {
      deps.logger.error('websocket message failed', { connectionId, routeKey, error });
      await reply(deps, connectionId, errorFrame('internal_error', 'Something went wrong on our side')).catch(
        (replyError: unknown) => deps.logger.error('error reply failed', { connectionId, error: replyError }),
      );
      return { statusCode: 500 };
    }
  };
}

function dispatch(deps: MessageDeps, caller: Caller, message: ClientMessage): Promise<unknown> {
  switch (message.action) {
    case 'ping':
      return reply(deps, caller.connectionId, { type: 'pong' });
    case 'subscribe':
      return 'jobId' in message ? subscribeToJob(deps, caller, message.jobId) : subscribeToAll(deps, caller);
    case 'unsubscribe':
      return unsubscribe(deps, caller, 'jobId' in message ? { jobId: message.jobId } : { all: true });
  }
}

/** The user from the authorizer context; without one (a proxy that drops it) from the connection item. */
async function callerOf(deps: MessageDeps, event: WsEvent): Promise<Caller | null> {
  const { connectionId, connectedAt } = event.requestContext;
  const principal = principalOf(event);
  if (principal) return { connectionId, connectedAt, ...principal };
  const connection = await deps.connections.get(connectionId);
  if (!connection) return null;
  const { userId, isAdmin, expiresAt } = connection;
  return { connectionId, connectedAt: connection.connectedAt, userId, isAdmin, tokenExpiresAt: expiresAt };
}

// No middlewares: every failure is answered to the client as an `error` frame above.
export const handler = middy<WsEvent, WsResult>().handler(createMessageHandler({ ...subscribeDeps, logger }));
