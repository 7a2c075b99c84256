/**
 * Following jobs live. One socket at a time; when it drops (or cannot connect) the watcher reads the job
 * over HTTP, waits with backoff, connects again and resubscribes; the snapshot after a subscribe brings it up
 * to date. Per job, only a `seq` greater than the last delivered one is passed on, so nothing is delivered
 * twice or out of order, whichever way (snapshot, update, HTTP read) it arrived. Without a WebSocket URL, it
 * polls over HTTP.
 */
import { type BackoffPolicy, backoffDelay } from './backoff.ts';
import { JobsApiError } from './errors.ts';
import { frameText, type WebSocketLike } from './socket.ts';
import { isTerminal, type Job } from './types.ts';

export type WatchTarget = string | { all: true };

export interface WatchOptions {
  /** Told about each dropped or refused connection and failed HTTP read; the watch carries on. */
  onError?: (error: unknown) => void;
  /** Reconnect backoff (default 250 ms doubling to 10 s, full jitter). */
  backoff?: BackoffPolicy;
  /** HTTP polling period when there is no WebSocket URL (default 1 s). */
  pollIntervalMs?: number;
  /** Keep-alive ping period; API Gateway closes connections idle for 10 minutes (default 5 min). */
  pingIntervalMs?: number;
}

export interface WatchHandle {
  /** Stops watching; `done` then resolves with undefined if the job had not finished. */
  close(): void;
  /** Watching one job: the terminal job. Rejects on errors that watching again cannot fix (401, 403, 404). */
  done: Promise<Job | undefined>;
}

export interface WatchDeps {
  /** A new socket, or undefined when there is no WebSocket URL. */
  openSocket(): Promise<WebSocketLike | undefined>;
  getJob(id: string): Promise<Job>;
  /** The newest jobs of the user (the first page), to catch up after a reconnect when watching all. */
  recentJobs(): Promise<Job[]>;
}

type Frame = { type?: string; job?: Job; code?: string; message?: string };

/** WebSocket.OPEN (the same in browsers and `ws`). */
const OPEN = 1;
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };
const FATAL_STATUS = new Set([401, 403, 404]);

export function watchJobs(
  deps: WatchDeps,
  target: WatchTarget,
  onJob: (job: Job) => void,
  options: WatchOptions = {},
): WatchHandle {
  const jobId = typeof target === 'string' ? target : undefined;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const startedAt = Date.now();
  const lastSeq = new Map<string, number>();
  let closed = false;
  let socket: WebSocketLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let subscribedBefore = false;
  let settle: { resolve(job: Job | undefined): void; reject(error: unknown): void } | undefined;
  const done = new Promise<Job | undefined>((resolve, reject) => {
    settle = { resolve, reject };
  });

  function finish(job: Job | undefined, error?: unknown): void {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(ping);
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000, 'done');
      socket = undefined;
    }
    if (error === undefined) settle?.resolve(job);
    else settle?.reject(error);
  }

  /** `known`: only jobs seen before or created since the watch began (HTTP catch-up of all jobs). */
  function deliver(job: Job, known = false): void {
    if (closed || (jobId !== undefined && job.id !== jobId)) return;
    const last = lastSeq.get(job.id);
    if (last !== undefined && job.seq <= last) return;
    if (known && last === undefined && Date.parse(job.createdAt) < startedAt) return;
    lastSeq.set(job.id, job.seq);
    try {
      onJob(job);
    } catch (error) {
      finish(undefined, error);
      return;
    }
    if (jobId !== undefined && isTerminal(job)) finish(job);
  }

  async function catchUp(): Promise<void> {
    try {
      if (jobId !== undefined) deliver(await deps.getJob(jobId));
      else for (const job of (await deps.recentJobs()).reverse()) deliver(job, true);
    } catch (error) {
      if (error instanceof JobsApiError && FATAL_STATUS.has(error.status)) return finish(undefined, error);
      options.onError?.(error);
    }
  }

  function later(error: unknown, polling = false): void {
    if (closed) return;
    if (error !== undefined) options.onError?.(error);
    const delay = polling
      ? (options.pollIntervalMs ?? 1000)
      : Math.max(backoff.baseMs / 2, backoffDelay(failures++, backoff));
    timer = setTimeout(async () => {
      await catchUp();
      void connect();
    }, delay);
  }

  function onFrame(data: unknown): void {
    let frame: Frame;
    try {
      frame = JSON.parse(frameText(data)) as Frame;
    } catch {
      return;
    }
    if ((frame.type === 'job.snapshot' || frame.type === 'job.updated') && frame.job) deliver(frame.job);
    else if (frame.type === 'error') {
      const error = new JobsApiError(
        frame.code === 'not_found' ? 404 : 400,
        frame.code ?? 'error',
        frame.message ?? 'error',
      );
      if (jobId !== undefined) finish(undefined, error);
      else options.onError?.(error);
    }
  }

  async function connect(): Promise<void> {
    if (closed) return;
    let ws: WebSocketLike | undefined;
    try {
      ws = await deps.openSocket();
    } catch (error) {
      return later(error);
    }
    if (!ws) return later(undefined, true);
    if (closed) return ws.close(1000, 'done');
    const current = ws;
    socket = current;
    current.onopen = () => {
      failures = 0;
      current.send(
        JSON.stringify(
          jobId !== undefined ? { action: 'subscribe', jobId } : { action: 'subscribe', all: true },
        ),
      );
      ping = setInterval(
        () => current.readyState === OPEN && current.send(JSON.stringify({ action: 'ping' })),
        options.pingIntervalMs ?? 5 * 60_000,
      );
      // A subscription to all has no snapshot: read what changed while the socket was down.
      if (jobId === undefined && subscribedBefore) void catchUp();
      subscribedBefore = true;
    };
    current.onmessage = (event) => onFrame(event.data);
    current.onerror = () => undefined; // a close follows
    current.onclose = (event) => {
      clearInterval(ping);
      if (socket === current) socket = undefined;
      later(new JobsApiError(0, 'socket_closed', `WebSocket closed (${event.code}) ${event.reason}`.trim()));
    };
  }

  void connect();
  return { close: () => finish(undefined), done };
}
