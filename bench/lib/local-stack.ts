/**
 * The local stack as the bench runs it: in memory, ephemeral ports, the deployed timing defaults
 * (20 s heartbeats, 120 s staleness) instead of the local runtime's faster ones, and the every-minute
 * maintenance pushed out of the way (the bench runs one sweep by itself and measures it separately).
 * Plus the small clients the bench drives it with: HTTP, WebSocket, and a DynamoDB reader of its own.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import type { JobView } from '../../functions/core/job.ts';

export { readJobs, waitForJobs } from './jobs-table.ts';

import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from '../../functions/local/local-aws.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../functions/local/stack.ts';

export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret';
export { BENCH_USER } from './results.ts';

import { BENCH_USER } from './results.ts';

export interface BenchStack {
  stack: LocalStack;
  token: string;
  adminToken: string;
  /** Errors the pollers and stream readers reported (a healthy run has none). */
  errors: unknown[];
  stop(): Promise<void>;
}

export async function startBenchStack(options: Partial<LocalStackOptions> = {}): Promise<BenchStack> {
  const errors: unknown[] = [];
  const stack = await startLocalStack({
    port: 0,
    wsPort: 0,
    jwtSecret: JWT_SECRET,
    prefix: 'bench',
    logLevel: 'error',
    // The deployed defaults (functions/wiring/config.ts): the local runtime beats every 5 s.
    heartbeatSeconds: 20,
    staleAfterSeconds: 120,
    maintenanceIntervalMs: 3_600_000,
    onError: (error) => errors.push(error),
    ...options,
  });
  return {
    stack,
    token: await signToken(JWT_SECRET, { sub: BENCH_USER }),
    adminToken: await signToken(JWT_SECRET, { sub: 'bench-admin', admin: true }),
    errors,
    stop: () => stack.stop(),
  };
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

export function httpClient(baseUrl: string, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
    get: <T>(path: string) => call<T>('GET', path),
  };
}

export async function submit(
  http: ReturnType<typeof httpClient>,
  body: Record<string, unknown>,
): Promise<JobView> {
  const answer = await http.post<{ job: JobView }>('/jobs', body);
  if (answer.status !== 202)
    throw new Error(`POST /jobs answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.job;
}

/** A DynamoDB client of the bench's own (tag it `bench` so its reads are not counted). */
export function benchDynamo(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ region, credentials, endpoint });
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

export interface WsFrame {
  type: string;
  job?: JobView;
  [key: string]: unknown;
}

/** A WebSocket client of the local API: every frame it receives is passed to `onFrame`. */
export async function openSocket(wsUrl: string, token: string, onFrame: (frame: WsFrame) => void) {
  const socket = new WebSocket(`${wsUrl}/?token=${token}`);
  socket.on('message', (data) => onFrame(JSON.parse(data.toString()) as WsFrame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
