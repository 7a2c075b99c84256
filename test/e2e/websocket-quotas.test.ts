/**
 * WebSocket quotas end to end on the local stack (set low here; the defaults are in infra/limits.ts): a
 * user's handshake past their connection cap is refused with 429, and a connection past its subscription
 * cap gets a `quota_exceeded` error frame.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  stack = await startTestStack('ws-quotas', {
    quotas: { maxConnections: 2, maxSubscriptionsPerConnection: 1 },
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await stack?.stop();
});

type Frame = { type: string; code?: string; message?: string };

/** Opens a connection: its frames, or the status that refused the handshake. */
async function open(user: string): Promise<{ socket: WebSocket; frames: Frame[] } | { refused: number }> {
  const socket = new WebSocket(`${stack.wsUrl}/?token=${encodeURIComponent(await tokenFor(user))}`);
  sockets.push(socket);
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, frames }));
    socket.once('unexpected-response', (_request, response) =>
      resolve({ refused: response.statusCode ?? 0 }),
    );
    socket.once('error', reject);
  });
}

describe('WebSocket quotas', () => {
  it("refuses a user's third connection with 429 and admits them again once one closes", async () => {
    const first = await open('carol');
    const second = await open('carol');
    expect('socket' in first && 'socket' in second).toBe(true);
    expect(await open('carol')).toEqual({ refused: 429 });
    expect('socket' in (await open('dave'))).toBe(true);

    if ('socket' in first) first.socket.close();
    await eventually(async () => 'socket' in (await open('carol')), 30_000, 200);
  });

  it('answers a quota_exceeded error frame to a subscription past the cap', async () => {
    const api = apiClient(stack.httpUrl, await tokenFor('erin'));
    const { body } = await api.post<{ job: JobView }>('/jobs', { type: 'demo', command: 'echo', params: {} });
    const connection = await open('erin');
    if (!('socket' in connection)) throw new Error(`refused: ${connection.refused}`);
    connection.socket.send(JSON.stringify({ action: 'subscribe', all: true }));
    await eventually(async () => connection.frames.some((frame) => frame.type === 'subscribed'), 30_000, 20);
    connection.socket.send(JSON.stringify({ action: 'subscribe', jobId: body.job.id }));
    const refusal = await eventually(
      async () => connection.frames.find((frame) => frame.type === 'error'),
      30_000,
      20,
    );
    expect(refusal).toMatchObject({ type: 'error', code: 'quota_exceeded' });
    expect(refusal.message).toContain('1 subscriptions');
  });
});
