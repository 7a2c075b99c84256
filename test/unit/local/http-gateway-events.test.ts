/** The local HTTP API's payload 2.0 details and its timeouts (API Gateway's answers). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../../functions/api/routes.ts';
import {
  cookiesOf,
  isTextContentType,
  requestTime,
  toAuthorizerEvent,
  toHttpEvent,
} from '../../../functions/local/http-event.ts';
import { invokeIntegration } from '../../../functions/local/http-integration.ts';

const route = { method: 'POST', path: '/jobs/{id}/cancel', handler: 'cancel-job' } as RouteDefinition;

function eventFor(headers: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  return toHttpEvent({
    req: { headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } },
    url: new URL('http://local/jobs/j1/cancel?a=1&a=2'),
    method: 'POST',
    route,
    pathParameters: { id: 'j1' },
    body,
    now: new Date(Date.UTC(2020, 2, 12, 19, 3, 58)),
  });
}

describe('payload 2.0 event details', () => {
  it('formats requestContext.time as API Gateway does', () => {
    expect(requestTime(new Date(Date.UTC(2020, 2, 12, 19, 3, 58)))).toBe('12/Mar/2020:19:03:58 +0000');
    expect(requestTime(new Date(Date.UTC(2021, 0, 5, 4, 5, 6)))).toBe('05/Jan/2021:04:05:06 +0000');
  });

  it('moves cookies out of the headers into `cookies`', () => {
    const event = eventFor({ cookie: 'a=1; b=2', 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(cookiesOf(undefined)).toEqual([]);
  });

  it('passes text bodies as is and base64-encodes the others', () => {
    const json = eventFor({ 'content-type': 'application/json; charset=utf-8' }, Buffer.from('{"x":1}'));
    expect(json).toMatchObject({ body: '{"x":1}', isBase64Encoded: false });
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = eventFor({ 'content-type': 'application/octet-stream' }, bytes);
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(isTextContentType('text/plain')).toBe(true);
    expect(isTextContentType('application/problem+json')).toBe(true);
    expect(isTextContentType('application/x-www-form-urlencoded')).toBe(false);
  });

  it('builds the authorizer request event from the request', () => {
    const event = eventFor({ authorization: 'Bearer t', cookie: 'c=1' }, Buffer.alloc(0));
    const authorizer = toAuthorizerEvent(event);
    expect(authorizer).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:us-east-1:000000000000:local/$default/POST/jobs/j1/cancel',
      identitySource: [],
      routeKey: 'POST /jobs/{id}/cancel',
      rawPath: '/jobs/j1/cancel',
      rawQueryString: 'a=1&a=2',
      cookies: ['c=1'],
      headers: { authorization: 'Bearer t' },
      queryStringParameters: { a: '1,2' },
      pathParameters: { id: 'j1' },
      requestContext: { time: '12/Mar/2020:19:03:58 +0000', http: { method: 'POST' } },
    });
  });
});

describe('integration limits', () => {
  const slow = async () => {
    await sleep(400);
    return 'late';
  };

  it('answers 500 Internal Server Error when the function times out', async () => {
    const outcome = await invokeIntegration(slow, {}, { functionName: 'f', functionTimeoutMs: 50 });
    expect(outcome).toEqual({
      ok: false,
      answer: { statusCode: 500, body: '{"message":"Internal Server Error"}' },
    });
  });

  it('answers 503 Service Unavailable past the integration timeout', async () => {
    const outcome = await invokeIntegration(
      slow,
      {},
      { functionName: 'f', functionTimeoutMs: 5_000, integrationTimeoutMs: 50 },
    );
    expect(outcome).toEqual({
      ok: false,
      answer: { statusCode: 503, body: '{"message":"Service Unavailable"}' },
    });
  });

  it('returns the result within both limits', async () => {
    const outcome = await invokeIntegration(
      async () => 'ok',
      {},
      { functionName: 'f', functionTimeoutMs: 1_000 },
    );
    expect(outcome).toEqual({ ok: true, result: 'ok' });
  });
});
