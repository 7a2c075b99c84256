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

/** The per-user connection quota: the user's open connections, counted before a new one is stored. */
export interface ConnectionQuota {
  maxConnections: number;
  now: Date;
}

/**
 * Stores the connection; false (nothing stored) when the user already has `maxConnections` open. Check then
 * write: handshakes of one user racing each other may pass the cap together, at most by the handshakes in
 * flight at once (the $connect route is throttled).
 */
export async function openConnection(
  store: ConnectionStore,
  caller: Caller,
  quota?: ConnectionQuota,
): Promise<boolean> {
  if (quota && (await store.countUserConnections(caller.userId, quota.now)) >= quota.maxConnections)
    return false;
  const { tokenExpiresAt, ...connection } = caller;
  await store.open({ ...connection, expiresAt: expiresAtFor(caller.connectedAt, tokenExpiresAt) });
  return true;
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
