/** `$connect`: remembers the connection and its user (from the authorizer) until API Gateway closes it. */
import middy from '@middy/core';
import { principalOf, type WsEvent, type WsResult } from '../../adapters/realtime/websocket-event.ts';
import type { Logger } from '../../agents/registry.ts';
import { type Clock, systemClock } from '../../core/clock.ts';
import { openConnection } from '../../usecases/realtime/connections.ts';
import type { ConnectionStore } from '../../usecases/realtime/ports.ts';
import { logger } from '../../wiring/logger.ts';
import { userQuotas } from '../../wiring/quotas.ts';
import { connectionStore } from '../../wiring/realtime-connections.ts';

export interface ConnectDeps {
  connections: ConnectionStore;
  logger: Logger;
  clock?: Clock;
  /** Open connections per user; past it the handshake is refused with 429. */
  maxConnections?: number;
}

export function createConnectHandler(deps: ConnectDeps) {
  return async (event: WsEvent): Promise<WsResult> => {
    const { connectionId, connectedAt } = event.requestContext;
    const principal = principalOf(event);
    if (!principal) {
      // Only a route deployed without the authorizer gets here.
      deps.logger.error('connect without an authorizer context', { connectionId });
      return { statusCode: 401 };
    }
    const quota =
      deps.maxConnections === undefined
        ? undefined
        : { maxConnections: deps.maxConnections, now: (deps.clock ?? systemClock).now() };
    const opened = await openConnection(deps.connections, { connectionId, connectedAt, ...principal }, quota);
    if (opened) return { statusCode: 200 };
    deps.logger.info('websocket connection refused: quota', { userId: principal.userId, ...quota });
    // API Gateway refuses the upgrade with this status (`{"message": "Too Many Requests"}`).
    return { statusCode: 429 };
  };
}

// No middlewares: a throw refuses the handshake (500), which is right when the connection was not stored.
export const handler = middy<WsEvent, WsResult>().handler(
  createConnectHandler({
    connections: connectionStore,
    logger,
    clock: systemClock,
    maxConnections: userQuotas().maxConnections,
  }),
);
