/**
 * Hostile request framing: headers (huge, many, duplicated, odd content types and encodings), paths (bad
 * percent-encoding, very long, unknown routes, odd ids, every method) and query strings (bad and repeated
 * limit/cursor/status/type/days values, real cursors replayed by another user, tampered ones).
 */
import fc from 'fast-check';
import { JOB_STATUSES } from '../../../functions/core/job.ts';
import type { Caller, FuzzCase } from './fuzz-case.ts';

const echoBody = '{"type":"demo","command":"echo","params":{"value":"headers"},"retryDelaySeconds":1}';

const jsonTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-8',
];
const otherTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/jsonx',
  'application/vnd.api+json',
  'json',
  '',
];
const unclearTypes = [
  'application/json; charset="utf-8"',
  'application/json; foo=bar',
  '*/*',
  'application/*',
];

const extraHeader: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  fc.integer({ min: 1_000, max: 120_000 }).map((n): Array<[string, string]> => [['x-huge', 'h'.repeat(n)]]),
  fc
    .integer({ min: 10, max: 400 })
    .map((n) => Array.from({ length: n }, (_, i): [string, string] => [`x-many-${i}`, 'v'.repeat(40)])),
  fc.constantFrom<Array<[string, string]>>(
    [['x-forwarded-for', '1.2.3.4, 10.0.0.1']],
    [['accept', 'application/xml']],
    [['accept-encoding', 'gzip, br']],
    [['x-unicode', 'ÅŁ𝔘 – ✓']],
    [['x-empty', '']],
    [['x_under_score', 'v']],
    [['x-amzn-requestid', 'spoofed']],
    [['transfer-encoding', 'chunked']],
    [['content-type', 'text/plain']],
    [['authorization', 'Bearer forged.token.value']],
    [['x-bad name', 'v']],
  ),
);

export function headerCases(): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      contentType: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...jsonTypes) },
        { weight: 3, arbitrary: fc.constantFrom(...otherTypes) },
        fc.constantFrom(...unclearTypes),
        fc.constant(undefined),
      ),
      encoding: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        fc.constantFrom('identity', 'gzip', 'br', 'deflate', 'gzip, identity'),
      ),
      extra: fc.option(extraHeader, { freq: 2 }),
    })
    .map(({ contentType, encoding, extra }): FuzzCase => {
      const headers: Array<[string, string]> = [];
      if (contentType !== undefined) headers.push(['content-type', contentType]);
      if (encoding !== undefined) headers.push(['content-encoding', encoding]);
      headers.push(...(extra ?? []));
      const size = headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
      const plain = size < 8_000 && extra === null;
      const jsonOk = contentType !== undefined && jsonTypes.includes(contentType);
      const encodingOk = encoding === undefined || encoding === 'identity';
      const clear = contentType === undefined || !unclearTypes.includes(contentType);
      const label = headers.map(
        ([name, value]) =>
          `${name}: ${value.length > 60 ? `${value.slice(0, 20)}…(${value.length})` : value}`,
      );
      return {
        label: `POST /jobs headers [${label.slice(0, 6).join(' | ')}${label.length > 6 ? ` | …${label.length} headers` : ''}]`,
        method: 'POST',
        target: '/jobs',
        caller: 'user',
        headers,
        body: () => echoBody,
        ...(plain && clear && { expectStatus: jsonOk && encodingOk ? [202] : [415] }),
      };
    });
}

const oddSegment = fc.oneof(
  fc.constantFrom(
    '%ZZ',
    '%',
    '%E0%A4',
    '%C3%28',
    '%00',
    '%2F',
    '%2e%2e',
    '..',
    '.',
    '',
    '%25',
    '%u0041',
    '%%',
    '{id}',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((text) => text.replace(/[\s?#]/g, '_')),
  fc.integer({ min: 60, max: 100_000 }).map((n) => 'i'.repeat(n)),
  fc.constantFrom('{accepted}', '{accepted}', 'ÅŁ𝔘'),
);
const knownSegment = fc.constantFrom(
  'jobs',
  'agents',
  'demo',
  'echo',
  'queue',
  'stats',
  'admin',
  'dead',
  'redrive',
  'recover',
  'cleanup',
  'health',
  'openapi.json',
  'count',
  'cancel',
  'retry',
);

export function pathCases(): fc.Arbitrary<FuzzCase> {
  const shaped = fc.oneof(
    oddSegment.map((id) => `/jobs/${id}`),
    fc.tuple(oddSegment, fc.constantFrom('cancel', 'retry')).map(([id, action]) => `/jobs/${id}/${action}`),
    fc.tuple(oddSegment, oddSegment).map(([type, command]) => `/agents/${type}/${command}`),
  );
  const free = fc
    .array(fc.oneof({ weight: 2, arbitrary: knownSegment }, oddSegment), { minLength: 0, maxLength: 5 })
    .chain((segments) =>
      fc.constantFrom('', '/', '//', '?', '#frag').map((tail) => `/${segments.join('/')}${tail}`),
    );
  return fc
    .record({
      path: fc.oneof(shaped, free),
      method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'),
      caller: fc.constantFrom<Caller>('user', 'user', 'user', 'admin', 'none'),
      withBody: fc.boolean(),
    })
    .map(
      ({ path, method, caller, withBody }): FuzzCase => ({
        label: `${method} ${path.length > 200 ? `${path.slice(0, 60)}…(${path.length} chars)` : path} as ${String(caller)}`,
        method,
        target: path,
        caller,
        ...(withBody &&
          method !== 'GET' && {
            headers: [['content-type', 'application/json']],
            body: () => '{"params":{"value":1},"retryDelaySeconds":1}',
          }),
      }),
    );
}

const numberish = fc.constantFrom(
  '-1',
  '0',
  '1',
  '2',
  '100',
  '101',
  '365',
  '366',
  '1e2',
  '0x10',
  'abc',
  '',
  ' 5',
  '5.5',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '%ZZ',
  '1%00',
  '[]',
  '{}',
);
const cursorish = fc.oneof(
  fc.constantFrom(
    '{cursor}',
    '{cursor}',
    '{cursor}x',
    'x{cursor}',
    '{cursor}{cursor}',
    'AAAA',
    '',
    '%ZZ',
    'null',
  ),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')),
  fc
    .record({ pk: fc.string(), sk: fc.string(), userId: fc.constantFrom('fuzz-user', 'someone-else') })
    .map((value) => encodeURIComponent(Buffer.from(JSON.stringify(value)).toString('base64'))),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc.integer({ min: 2_000, max: 20_000 }).map((n) => 'c'.repeat(n)),
);
const param: fc.Arbitrary<string> = fc.oneof(
  numberish.chain((value) => fc.constantFrom('limit', 'days').map((name) => `${name}=${value}`)),
  cursorish.map((value) => `cursor=${value}`),
  fc
    .oneof(
      fc.constantFrom(...JOB_STATUSES),
      fc.constantFrom('COMPLETED', 'bogus', '', 'completed,failed', '%ZZ'),
    )
    .map((value) => `status=${value}`),
  fc
    .oneof(
      fc.constantFrom('demo', 'nope', '', '__proto__'),
      fc.string({ unit: 'grapheme', maxLength: 70 }).map(encodeURIComponent),
    )
    .map((value) => `type=${value}`),
  fc.constantFrom('__proto__[x]=1', 'constructor=1', '=1', '&', 'limit', '%ZZ=1', 'a=%', 'limit[]=1'),
);

export function queryCases(): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      route: fc.constantFrom(
        'GET /jobs',
        'GET /jobs',
        'GET /jobs/count',
        'GET /admin/dead',
        'POST /admin/cleanup',
        'GET /queue/stats',
      ),
      params: fc.array(param, { minLength: 1, maxLength: 4 }),
      caller: fc.constantFrom<Caller>('user', 'user', 'admin', 'other'),
    })
    .map(({ route, params, caller }): FuzzCase => {
      const [method = 'GET', path = '/'] = route.split(' ');
      const query = params.join('&');
      const adminRoute = path.startsWith('/admin');
      const expectStatus: number[] = adminRoute && caller !== 'admin' ? [403] : [200, 400];
      return {
        label: `${route}?${query.length > 200 ? `${query.slice(0, 80)}…(${query.length} chars)` : query} as ${String(caller)}`,
        method,
        target: `${path}?${query}`,
        caller,
        // A URL this long may meet API Gateway's own limits first: only the generic checks then.
        ...(query.length < 8_000 && { expectStatus }),
      };
    });
}
