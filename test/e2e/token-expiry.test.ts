/**
 * Token rules end to end on the local stack: tokens without `exp`, living too long or with an oversized `sub`
 * get the contract's 401, and a message on a WebSocket connection whose token expired is answered
 * `token_expired` before the close. (The notifier's closing of expired connections is covered by
 * test/unit/realtime/fan-out.test.ts.)
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import { type LocalStack, startLocalStack } from '../../functions/local/stack.ts';
import { uniquePrefix } from '../support/emulators.ts';
import { apiClient, eventually } from '../support/http-client.ts';

const secret = 'e2e-expiry-secret-e2e-expiry-secret';
let stack: LocalStack;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    wsPort: 0,
    jwtSecret: secret,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    prefix: uniquePrefix('expiry'),
    heartbeatSeconds: 1,
    logLevel: 'error',
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await stack?.stop();
});

interface Client {
  frames: Array<{ type: string; code?: string }>;
  closed: Promise<number>;
  send(message: unknown): void;
}

async function connect(token: string): Promise<Client> {
  const socket = new WebSocket(`${stack.wsUrl}/?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  const frames: Client['frames'] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Client['frames'][number]));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { frames, closed, send: (message) => socket.send(JSON.stringify(message)) };
}

const secondsFromNow = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
const waitUntilExpired = (exp: number) => eventually(async () => Date.now() / 1000 > exp + 1, 30_000, 200);

describe('token rules', () => {
  it('answer 401 to a token without exp, one living too long, and a 5,000-character sub', async () => {
    const key = new TextEncoder().encode(secret);
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt()
      .sign(key);
    const tooLong = await signToken(secret, { sub: 'alice', expiresIn: '30d' });
    const hugeSub = await signToken(secret, { sub: 'a'.repeat(5000) });
    for (const token of [noExp, tooLong, hugeSub]) {
      const response = await apiClient(stack.httpUrl, token).get('/jobs');
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect(
      (await apiClient(stack.httpUrl, await signToken(secret, { sub: 'alice' })).get('/jobs')).status,
    ).toBe(200);
  });

  it('answer a message on an expired connection with token_expired, then close it', async () => {
    const exp = secondsFromNow(3);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('frank')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(secret));
    const client = await connect(token);
    client.send({ action: 'ping' });
    await eventually(async () => client.frames.some((frame) => frame.type === 'pong'), 30_000, 20);

    await waitUntilExpired(exp);
    client.send({ action: 'ping' });
    expect(
      await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 60_000, 'open'))]),
    ).not.toBe('open');
    expect(client.frames.at(-1)).toMatchObject({ type: 'error', code: 'token_expired' });
  });
});
