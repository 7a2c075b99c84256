/**
 * What the local HTTP gateway refuses before a handler runs, answered as API Gateway does (its status and
 * a `{"message"}` body; never an empty reply, a hang or a reset), and what the handlers refuse in the
 * contract's shape: malformed path encoding, bodies that are not JSON in UTF-8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../functions/api/routes.ts';
import { MAX_REQUEST_LINE_AND_HEADERS_BYTES } from '../../functions/local/gateway-limits.ts';
import { startHttpGateway } from '../../functions/local/http-gateway.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';
import { rawRequest } from '../support/raw-socket.ts';

let stack: LocalStack;
let token: string;

beforeAll(async () => {
  stack = await startTestStack('refusals');
  token = await tokenFor('refusals-user');
});

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, headers: string[] = []) =>
  [`GET ${path} HTTP/1.1`, 'host: local', `authorization: Bearer ${token}`, ...headers, '', ''].join('\r\n');

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${stack.httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });

describe('API Gateway limits on the local gateway', () => {
  it('answers request lines and headers over 10,240 bytes with a status and a message', async () => {
    const under = await rawRequest(stack.httpUrl, get('/jobs', [`x-pad: ${'a'.repeat(8_000)}`]));
    expect(under.status).toBe(200);

    for (const size of [20 * 1024, 100 * 1024, 2 * 1024 * 1024]) {
      const answer = await rawRequest(stack.httpUrl, get('/jobs', [`x-pad: ${'a'.repeat(size)}`]));
      expect(answer, `${size} bytes of header`).toMatchObject({
        status: 431,
        ended: 'answered',
      });
      expect(JSON.parse(answer.body)).toEqual({ message: 'Request Header Fields Too Large' });
    }
    const bigToken = await rawRequest(
      stack.httpUrl,
      get('/jobs', [`cookie: ${'c'.repeat(MAX_REQUEST_LINE_AND_HEADERS_BYTES)}`]),
    );
    expect(bigToken.status).toBe(431);
  });

  it('answers a 100,000-character path with 414, not a reset', async () => {
    const answer = await rawRequest(stack.httpUrl, get(`/jobs/${'x'.repeat(100_000)}`));
    expect(answer).toMatchObject({ status: 414, ended: 'answered' });
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request-URI Too Long' });
  });

  it("refuses bodies over Lambda's 6 MB synchronous payload with 413, declared or streamed", async () => {
    const declared = await rawRequest(
      stack.httpUrl,
      [
        'POST /jobs HTTP/1.1',
        'host: local',
        'content-type: application/json',
        `content-length: ${7 * 1024 * 1024}`,
        '',
        '{"type":',
      ].join('\r\n'),
    );
    expect(declared).toMatchObject({ status: 413, ended: 'answered' });
    expect(JSON.parse(declared.body)).toEqual({ message: 'Request Entity Too Large' });

    const streamed = await fetch(`${stack.httpUrl}/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new Blob(['"', 'x'.repeat(7 * 1024 * 1024), '"']).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('answers malformed requests with 400 and a message', async () => {
    const answer = await rawRequest(stack.httpUrl, 'GET /jobs HTTP/1.1\r\nbad header line\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Bad Request' });
  });
});

describe('a request whose body never arrives', () => {
  it('gets 408 with a message once the receive timeout passes, instead of hanging', async () => {
    const echo: RouteDefinition = {
      method: 'POST',
      path: '/echo',
      handler: 'echo',
      access: 'public',
      summary: '',
    };
    const gateway = await startHttpGateway({
      port: 0,
      routes: [echo],
      loadHandler: async () => async (event) => ({ statusCode: 200, body: event.body ?? '' }),
      authorizer: async () => ({ isAuthorized: false, context: {} }) as never,
      requestTimeoutMs: 1_000,
    });
    try {
      const answer = await rawRequest(
        gateway.url,
        'POST /echo HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
      );
      expect(answer).toMatchObject({ status: 408, ended: 'answered' });
      expect(JSON.parse(answer.body)).toEqual({ message: 'Request Timeout' });
      // The gateway still serves complete requests.
      const ok = await rawRequest(
        gateway.url,
        'POST /echo HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
      );
      expect(ok).toMatchObject({ status: 200, body: '{}' });
    } finally {
      await gateway.close();
    }
  });
});

describe('refusals in the contract shape', () => {
  it('answers a path that is not valid percent-encoding as an unknown job', async () => {
    const answer = await rawRequest(stack.httpUrl, get('/jobs/%ZZ'));
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it.each([
    ['text/plain', {}],
    ['application/x-www-form-urlencoded', {}],
    ['application/xml', {}],
    ['application/json; charset=utf-16', {}],
    ['application/json', { 'content-encoding': 'gzip' }],
  ])('refuses a %s body (%j) with 415 unsupported_media_type', async (type, extra) => {
    const body = JSON.stringify({ type: 'demo', command: 'echo', params: { value: 1 } });
    const response = await post('/jobs', body, { 'content-type': type, ...extra });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('refuses a body without a content type, on routes that take no body too', async () => {
    const body = JSON.stringify({ type: 'demo', command: 'echo', params: { value: 1 } });
    const raw = await rawRequest(
      stack.httpUrl,
      `POST /jobs HTTP/1.1\r\nhost: local\r\nauthorization: Bearer ${token}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    expect(raw.status).toBe(415);
    expect(JSON.parse(raw.body)).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const cancel = await post('/jobs/nope/cancel', 'x', { 'content-type': 'text/plain' });
    expect(cancel.status).toBe(415);
  });

  it('still accepts JSON in UTF-8', async () => {
    const body = JSON.stringify({ type: 'demo', command: 'echo', params: { value: 1 } });
    const response = await post('/jobs', body, { 'content-type': 'application/json; charset=UTF-8' });
    expect(response.status).toBe(202);
  });
});
