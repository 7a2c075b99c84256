/**
 * The HTTP sender against real local servers: pinned to the checked address whatever the URL's host
 * resolves to, no redirects followed, bounded by the timeout, and only a capped part of the answer read.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../functions/adapters/webhooks/http-sender.ts';

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const sender = new HttpWebhookSender({ timeoutMs: 1000, maxResponseBytes: 1024, userAgent: 'test' });
const target = (port: number, host = 'hooks.invalid') => ({
  url: new URL(`http://${host}:${port}/in`),
  address: '127.0.0.1',
  family: 4 as const,
});

describe('webhook HTTP sender', () => {
  it('connects to the pinned address with the signed headers and the body', async () => {
    let seen: { host?: string | undefined; id?: string | string[] | undefined; body: string } = { body: '' };
    const port = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen = { host: req.headers.host, id: req.headers['webhook-id'], body };
        res.writeHead(200).end('ok');
      });
    });
    // `hooks.invalid` never resolves: only the pinned address can have reached the server.
    expect(await sender.post(target(port), { 'webhook-id': 'msg_1' }, '{"a":1}')).toEqual({ status: 200 });
    expect(seen).toEqual({ host: `hooks.invalid:${port}`, id: 'msg_1', body: '{"a":1}' });
  });

  it('does not follow a redirect', async () => {
    let hits = 0;
    const port = await serve((_req, res) => {
      hits++;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    expect(await sender.post(target(port), {}, '{}')).toEqual({ status: 302 });
    expect(hits).toBe(1);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const port = await serve(() => undefined);
    const result = await sender.post(target(port), {}, '{}');
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/no answer within 1000 ms/);
  });

  it('reads at most the cap of an endless answer', async () => {
    let closed = false;
    const port = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(512, 120);
      const timer = setInterval(() => res.write(chunk), 5);
      res.on('close', () => {
        clearInterval(timer);
        closed = true;
      });
    });
    expect(await sender.post(target(port), {}, '{}')).toEqual({ status: 200 });
    const until = Date.now() + 10_000;
    while (!closed && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
  });
});
