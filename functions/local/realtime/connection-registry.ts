/** The live sockets of the local WebSocket gateway, by API Gateway connection id. */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

export interface LiveConnection {
  connectionId: string;
  socket: WebSocket;
  /** Epoch milliseconds. */
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  /** Called whenever a frame goes either way (the gateway's idle timer). */
  onActivity?: () => void;
}

/** Ids shaped like API Gateway's: 16 base64 characters ending in `=` (e.g. `L0SM9cOFvHcCIhw=`). */
export const newConnectionId = (): string => randomBytes(11).toString('base64').replace(/[+/]/g, 'A');

export class ConnectionRegistry {
  readonly #connections = new Map<string, LiveConnection>();

  add(connection: LiveConnection): void {
    this.#connections.set(connection.connectionId, connection);
  }

  get(connectionId: string): LiveConnection | undefined {
    return this.#connections.get(connectionId);
  }

  delete(connectionId: string): void {
    this.#connections.delete(connectionId);
  }

  touch(connectionId: string): void {
    const connection = this.#connections.get(connectionId);
    if (!connection) return;
    connection.lastActiveAt = Date.now();
    connection.onActivity?.();
  }

  all(): LiveConnection[] {
    return [...this.#connections.values()];
  }
}
