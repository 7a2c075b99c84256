/** The local gateway's CORS, answered as API Gateway's HTTP API does with a CORS configuration. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { applyCors, dashboardCors, withoutCorsHeaders } from '../../functions/local/cors.ts';

const cors = dashboardCors('http://127.0.0.1:3002');

function exchange(method: string, headers: Record<string, string>) {
  const set: Record<string, string> = {};
  let written: { status: number; headers: Record<string, string> } | undefined;
  const res = {
    setHeader: (name: string, value: string) => {
      set[name] = value;
    },
    writeHead: (status: number, headers: Record<string, string>) => {
      written = { status, headers };
    },
    end: () => undefined,
  } as unknown as ServerResponse;
  const answered = applyCors(cors, { method, headers } as unknown as IncomingMessage, res);
  return { answered, set, written };
}

describe('local CORS', () => {
  it('answers a preflight from the allowed origin with 204 and the configured headers', () => {
    const { answered, written } = exchange('OPTIONS', {
      origin: 'http://127.0.0.1:3002',
      'access-control-request-method': 'POST',
    });
    expect(answered).toBe(true);
    expect(written).toEqual({
      status: 204,
      headers: {
        'access-control-allow-origin': 'http://127.0.0.1:3002',
        'access-control-allow-methods': 'GET,POST,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '3600',
      },
    });
  });

  it('answers a preflight from another origin without any CORS header', () => {
    const { answered, written } = exchange('OPTIONS', {
      origin: 'http://evil.example',
      'access-control-request-method': 'GET',
    });
    expect(answered).toBe(true);
    expect(written).toEqual({ status: 204, headers: {} });
  });

  it('adds the allowed origin to other requests and leaves an OPTIONS without a request method to the routes', () => {
    const fromDashboard = exchange('GET', { origin: 'http://127.0.0.1:3002' });
    expect(fromDashboard.answered).toBe(false);
    expect(fromDashboard.set).toEqual({
      'access-control-allow-origin': 'http://127.0.0.1:3002',
      'access-control-expose-headers': 'location',
    });
    expect(exchange('GET', { origin: 'http://evil.example' }).set).toEqual({});
    expect(exchange('GET', {}).set).toEqual({});
    expect(exchange('OPTIONS', { origin: 'http://127.0.0.1:3002' }).answered).toBe(false);
  });

  it("drops the integration's own CORS headers", () => {
    expect(
      withoutCorsHeaders({ 'Access-Control-Allow-Origin': '*', location: '/jobs/1', 'content-type': 'x' }),
    ).toEqual({ location: '/jobs/1', 'content-type': 'x' });
  });
});
