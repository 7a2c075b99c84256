/**
 * The hostile inputs issue 10 found by hand, sent on every run before the generated ones, so the fuzz test
 * always covers them whatever the seed draws.
 */
import type { FuzzCase } from './fuzz-case.ts';
import { forgeJwt } from './tokens.ts';

const json: Array<[string, string]> = [['content-type', 'application/json']];
const echo = (valueText: () => string, label: string): FuzzCase => {
  const params = () => `{"value":${valueText()}}`;
  return {
    label: `POST /jobs echo ${label}`,
    method: 'POST',
    target: '/jobs',
    caller: 'user',
    headers: json,
    body: () => `{"type":"demo","command":"echo","retryDelaySeconds":1,"params":${params()}}`,
    paramsText: params,
  };
};

export const knownBodyCases: FuzzCase[] = [
  echo(() => JSON.stringify('x'.repeat(250_000)), 'value of 250,000 characters'),
  echo(() => `${'{"a":'.repeat(31)}1${'}'.repeat(31)}`, 'value nested 31 deep'),
  echo(() => `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'arrays nested 10,000 deep'),
  echo(() => '9007199254740993', 'integer over 2^53'),
  echo(() => '1e300', 'number 1e300'),
  echo(() => '{"__proto__":{"polluted":true}}', 'a __proto__ key'),
  echo(() => '{"constructor":{"prototype":{"x":1}}}', 'a constructor key'),
  echo(() => '5e-324', 'number 5e-324'),
];

export const knownHeaderCases: FuzzCase[] = [
  ...[
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'application/json; charset=utf-16',
  ].map(
    (type): FuzzCase => ({
      label: `POST /jobs content-type: ${type}`,
      method: 'POST',
      target: '/jobs',
      caller: 'user',
      headers: [['content-type', type]],
      body: () => '{"type":"demo","command":"echo"}',
      expectStatus: [415],
    }),
  ),
  {
    label: 'POST /jobs without content-type',
    method: 'POST',
    target: '/jobs',
    caller: 'user',
    body: () => '{"type":"demo","command":"echo"}',
    expectStatus: [415],
  },
  {
    label: 'POST /jobs content-encoding: gzip on an uncompressed body',
    method: 'POST',
    target: '/jobs',
    caller: 'user',
    headers: [...json, ['content-encoding', 'gzip']],
    body: () => '{"type":"demo","command":"echo"}',
    expectStatus: [415],
  },
  {
    label: 'GET /jobs with a 100 KB header',
    method: 'GET',
    target: '/jobs',
    caller: 'user',
    headers: [['x-huge', 'h'.repeat(100_000)]],
  },
];

export const knownPathCases: FuzzCase[] = [
  { label: 'GET /jobs/%ZZ', method: 'GET', target: '/jobs/%ZZ', caller: 'user' },
  { label: 'GET a 100,000-character path', method: 'GET', target: `/${'p'.repeat(100_000)}`, caller: 'user' },
];

export function knownTokenCases(secret: string): FuzzCase[] {
  const now = Math.floor(Date.now() / 1000);
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  return [
    {
      label: 'GET /jobs validly signed token with a 5,000-character sub',
      method: 'GET',
      target: '/jobs',
      caller: {
        authorization: `Bearer ${forgeJwt(hs256, { sub: 's'.repeat(5_000), iat: now, exp: now + 3600 }, secret)}`,
      },
      expectStatus: [200, 401],
    },
    {
      label: 'GET /jobs validly signed token without exp',
      method: 'GET',
      target: '/jobs',
      caller: { authorization: `Bearer ${forgeJwt(hs256, { sub: 'fuzz-user', iat: now }, secret)}` },
      sub: 'fuzz-user',
      expectStatus: [401],
    },
    {
      label: 'GET /jobs with a 20 KB token',
      method: 'GET',
      target: '/jobs',
      caller: { authorization: `Bearer ${'A'.repeat(20_000)}` },
    },
  ];
}
