/** Test doubles for the client: a scripted fetch and an in-memory WebSocket the test drives. */
import type { Job, WebSocketLike } from '@tiered-job-queue/client';
import { toJobView } from '../../../functions/core/job.ts';
import { aJob } from '../../support/job-factory.ts';

export interface Call {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = Response | Error | ((call: Call) => Response | Error);

/** A fetch that answers with `replies` in order (the last one repeats) and records every call. */
export function scriptedFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)] as Reply;
    const value = typeof reply === 'function' ? reply(call) : reply;
    if (value instanceof Error) throw value;
    return value.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

let seq = 0;
export function job(overrides: Partial<Job> = {}): Job {
  return { ...toJobView(aJob({ id: 'job-1', command: 'sleep', params: {} })), seq: ++seq, ...overrides };
}

/** Sockets the client opens; the test opens, feeds and closes them. */
export class FakeSockets {
  readonly sockets: FakeSocket[] = [];
  readonly Constructor = (() => {
    const sockets = this.sockets;
    return class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    };
  })();

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket opened yet');
    return socket;
  }
}

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  frame(value: unknown): void {
    this.onmessage?.({ data: JSON.stringify(value) });
  }

  /** The server refuses or drops the connection. */
  drop(code = 1006): void {
    this.close(code, 'dropped');
  }
}

/** Polls `check` until it holds (no fixed sleeps). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
