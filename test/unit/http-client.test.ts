/**
 * The e2e HTTP client checks every exchange against the served document: a response that does not match
 * fails the call (so the test making it), one that matches passes through.
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { apiClient, OpenApiMismatchError } from '../support/http-client.ts';

const document = JSON.stringify(openApiDocument());

/** A fake server: /openapi.json serves the real document; everything else answers `answer`. */
function fakeFetch(answer: { status: number; body: unknown; headers?: Record<string, string> }) {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    if (url.endsWith('/openapi.json'))
      return new Response(document, { headers: { 'content-type': 'application/json' } });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  }) as typeof fetch;
}

describe('e2e HTTP client', () => {
  it('returns responses that match the served document', async () => {
    const client = apiClient(
      'http://fake-ok',
      'token',
      fakeFetch({ status: 200, body: { count: 3, approximate: false } }),
    );
    expect(await client.get('/jobs/count?status=completed')).toMatchObject({
      status: 200,
      body: { count: 3, approximate: false },
    });
  });

  it('throws on a response the document does not describe', async () => {
    const client = apiClient(
      'http://fake-wrong',
      'token',
      fakeFetch({ status: 200, body: { count: 'three', approximate: false } }),
    );
    const call = client.get('/jobs/count');
    await expect(call).rejects.toBeInstanceOf(OpenApiMismatchError);
    await expect(call).rejects.toThrow(/GET \/jobs\/count -> 200: response body: \/count must be integer/);
  });

  it('throws when the server accepts a request the document rejects', async () => {
    const client = apiClient('http://fake-lax', 'token', fakeFetch({ status: 200, body: { count: 0 } }));
    await expect(client.get('/jobs/count?status=bogus')).rejects.toThrow(
      /accepted a request the document rejects/,
    );
  });
});
