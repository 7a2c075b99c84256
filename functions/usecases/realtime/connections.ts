/** Opening and closing a WebSocket connection. Its items live as long as API Gateway keeps it open. */
import type { ConnectionPoster, ConnectionStore } from './ports.ts';

/** API Gateway closes every WebSocket connection after 2 hours. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/**
 * Epoch seconds at which a connection opened at `connectedAt` (epoch ms) ends: API Gateway closes it after
 * 2 hours, and a connection whose token expired is closed by the notifier or at its next message.
 */
export const expiresAtFor = (connectedAt: number, tokenExpiresAt?: number): number =>
  Math.min(
    Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS,
    tokenExpiresAt ?? Number.POSITIVE_INFINITY,
  );

/** True once the connection's token (or API Gateway's 2-hour limit) has run out. */
export const hasExpired = (caller: Pick<Caller, 'connectedAt' | 'tokenExpiresAt'>, now: Date): boolean =>
  expiresAtFor(caller.connectedAt, caller.tokenExpiresAt) <= now.getTime() / 1000;

/** Who is on the other end of a connection, from the `$connect` authorizer. */
export interface Caller {
  connectionId: string;
  userId: string;
  isAdmin: boolean;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Epoch seconds at which the connect token expires. */
  tokenExpiresAt?: number;
}

export function openConnection(store: ConnectionStore, caller: Caller): Promise<void> {
  const { tokenExpiresAt, ...connection } = caller;
  return store.open({ ...connection, expiresAt: expiresAtFor(caller.connectedAt, tokenExpiresAt) });
}

/** Closes a connection from the server side (its token expired) and forgets it. */
export async function expireConnection(
  deps: { connections: ConnectionStore; poster: ConnectionPoster },
  connectionId: string,
): Promise<void> {
  await deps.poster.disconnect(connectionId);
  await deps.connections.close(connectionId);
}

/** Forgets the connection and everything it subscribed to. */
export function closeConnection(store: ConnectionStore, connectionId: string): Promise<void> {
  return store.close(connectionId);
}
