/** `$connect`: remembers the connection and its user (from the authorizer) until API Gateway closes it. */
import middy from '@middy/core';
import { principalOf, type WsEvent, type WsResult } from '../../adapters/realtime/websocket-event.ts';
import type { Logger } from '../../agents/registry.ts';
import { logger } from '../../config/logger.ts';
import { connectionStore } from '../../config/realtime-connections.ts';
import { openConnection } from '../../usecases/realtime/connections.ts';
import type { ConnectionStore } from '../../usecases/realtime/ports.ts';

export function createConnectHandler(deps: { connections: ConnectionStore; logger: Logger }) {
  return async (event: WsEvent): Promise<WsResult> => {
    const { connectionId, connectedAt } = event.requestContext;
    const principal = principalOf(event);
    if (!principal) {
      // Only a route deployed without the authorizer gets here.
      deps.logger.error('connect without an authorizer context', { connectionId });
      return { statusCode: 401 };
    }
    await openConnection(deps.connections, { connectionId, connectedAt, ...principal });
    return { statusCode: 200 };
  };
}

// No middlewares: a throw refuses the handshake (500), which is right when the connection was not stored.
export const handler = middy<WsEvent, WsResult>().handler(
  createConnectHandler({ connections: connectionStore, logger }),
);
