/** `$disconnect`: forgets the connection and its subscriptions (best effort: TTL removes leftovers). */
import middy from '@middy/core';
import type { WsEvent, WsResult } from '../../adapters/realtime/websocket-event.ts';
import { closeConnection } from '../../usecases/realtime/connections.ts';
import type { ConnectionStore } from '../../usecases/realtime/ports.ts';
import { connectionStore } from '../../wiring/realtime-connections.ts';

export function createDisconnectHandler(deps: { connections: ConnectionStore }) {
  return async (event: WsEvent): Promise<WsResult> => {
    await closeConnection(deps.connections, event.requestContext.connectionId);
    return { statusCode: 200 };
  };
}

// No middlewares: API Gateway ignores the answer; a failure is logged by Lambda and TTL cleans up.
export const handler = middy<WsEvent, WsResult>().handler(
  createDisconnectHandler({ connections: connectionStore }),
);
