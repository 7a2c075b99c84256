/**
 * Which WebSocket to use: one passed in, else the global one (browsers, Node 22+), else the `ws` package
 * (Node 20), loaded only when a socket is first needed. The specifier is not a literal, so bundlers for
 * browsers do not pull `ws` in.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

const WS_PACKAGE = 'ws';
let loaded: Promise<WebSocketConstructor> | undefined;

export function resolveWebSocket(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected) return Promise.resolve(injected);
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof global === 'function') return Promise.resolve(global);
  loaded ??= import(/* @vite-ignore */ WS_PACKAGE).then(
    (module: { default?: WebSocketConstructor; WebSocket?: WebSocketConstructor }) => {
      const found = module.WebSocket ?? module.default;
      if (!found) throw new Error('no WebSocket: install the "ws" package or pass WebSocket');
      return found;
    },
  );
  return loaded;
}

/** Text of a message event's data (a string in browsers, a Buffer from `ws`). */
export const frameText = (data: unknown): string =>
  typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
