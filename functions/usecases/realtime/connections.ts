/** Opening and closing a WebSocket connection. Its items live as long as API Gateway keeps it open. */
import type { ConnectionStore } from './ports.ts';

/** API Gateway closes every WebSocket connection after 2 hours. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/** Epoch seconds at which a connection opened at `connectedAt` (epoch ms) is closed for sure. */
export const expiresAtFor = (connectedAt: number): number =>
  Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS;

/** Who is on the other end of a connection, from the `$connect` authorizer. */
export interface Caller {
  connectionId: string;
  userId: string;
  isAdmin: boolean;
  /** Epoch milliseconds. */
  connectedAt: number;
}

export function openConnection(store: ConnectionStore, caller: Caller): Promise<void> {
  return store.open({ ...caller, expiresAt: expiresAtFor(caller.connectedAt) });
}

/** Forgets the connection and everything it subscribed to. */
export function closeConnection(store: ConnectionStore, connectionId: string): Promise<void> {
  return store.close(connectionId);
}
