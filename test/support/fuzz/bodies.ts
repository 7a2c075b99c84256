/**
 * Hostile submission bodies: job-shaped bodies whose every field may be wrong (types, ranges, unicode,
 * prototype-pollution keys, huge strings near and over the limits, deep nesting), and raw texts that are not
 * a job at all. Whatever a body asks for, if it is valid it runs fast (demo/echo, demo/fail with few failures,
 * demo/sleep for at most a second, retries one second apart), so every accepted job can be awaited.
 */
import fc from 'fast-check';
import type { FuzzCase } from './fuzz-case.ts';

/** JSON text of an object whose keys may be `__proto__` & co (JSON.parse makes them own properties). */
const objectText = (entries: Array<[string, string]>) =>
  `{${entries.map(([key, valueText]) => `${JSON.stringify(key)}:${valueText}`).join(',')}}`;

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '$', 'a.b', '#'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

/** Texts of large or deep JSON values, built only when sent. */
const bigValue = fc.oneof(
  fc.constantFrom(100_000, 200_000, 250_000, 255_000, 262_144, 300_000, 1_000_000, 7_000_000).chain((bytes) =>
    fc.constantFrom('x', 'é', '😀').map((char) => ({
      label: `"${char}"×${Math.floor(bytes / Buffer.byteLength(char))}`,
      text: () => JSON.stringify(char.repeat(Math.floor(bytes / Buffer.byteLength(char)))),
    })),
  ),
  fc.constantFrom(31, 33, 40, 100, 1_000, 10_000, 100_000).chain((depth) =>
    fc.constantFrom('[', '{"a":').map((open) => ({
      label: `${open} nested ${depth} deep`,
      text: () => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`,
    })),
  ),
  fc.integer({ min: 1_000, max: 40_000 }).map((keys) => ({
    label: `object with ${keys} keys`,
    text: () => objectText(Array.from({ length: keys }, (_, i) => [`k${i}`, String(i)])),
  })),
);

type Lazy = { label: string; text: () => string };
const small = (value: unknown): Lazy => {
  const text = JSON.stringify(value) ?? 'null';
  return { label: text, text: () => text };
};

const smallValue: fc.Arbitrary<Lazy> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(small),
  fc.constantFrom(1e300, -1e-300, 5e-324, 2 ** 53 + 1, -0, 1.5e308).map(small),
  fc.string({ unit: 'binary', maxLength: 30 }).map(small),
  fc
    .array(fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 })
    .map((entries) => objectText(entries.map(([key, value]) => [key, JSON.stringify(value) ?? 'null'])))
    .map((text) => ({ label: text, text: () => text })),
);

const anyValue = fc.oneof(smallValue, bigValue);
const wrongScalar = fc.constantFrom<unknown>(null, '1', true, -1, 0.5, 1e9, [], {}, 'NaN', -0);

const hostileName: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.constantFrom<unknown>(
    '',
    'x'.repeat(65),
    '../demo',
    'demo ',
    'DEMO',
    '__proto__',
    'constructor',
    7,
    null,
  ),
);

/** Demo commands with params that, when valid, finish in a second or two. */
const commandAndParams: fc.Arbitrary<{ type: unknown; command: unknown; params?: Lazy }> = fc.oneof(
  {
    weight: 4,
    arbitrary: anyValue.map((value) => ({ type: 'demo', command: 'echo', params: wrap('value', value) })),
  },
  fc
    .record({
      times: fc.oneof(fc.integer({ min: 0, max: 2 }), wrongScalar),
      permanent: fc.oneof(fc.boolean(), wrongScalar),
    })
    .map((params) => ({ type: 'demo', command: 'fail', params: small(params) })),
  fc
    .record({
      seconds: fc.oneof(fc.constantFrom(0, 0.5, 1), wrongScalar),
      steps: fc.oneof(fc.integer({ min: 1, max: 3 }), wrongScalar),
    })
    .map((params) => ({ type: 'demo', command: 'sleep', params: small(params) })),
  fc
    .record({
      type: fc.oneof(fc.constant('demo'), hostileName),
      command: fc.oneof(fc.constant('echo'), hostileName),
    })
    .chain((names) => anyValue.map((params) => ({ ...names, params }))),
);

function wrap(key: string, value: Lazy): Lazy {
  return { label: `{"${key}":${value.label}}`, text: () => `{"${key}":${value.text()}}` };
}

const isoIn = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
/**
 * Options of a submission: in a valid body each is absent or a value that keeps the job fast; in a hostile
 * body any may also be wrong.
 */
const options = (hostile: boolean) => {
  const option = (fast: fc.Arbitrary<unknown>, wrong: fc.Arbitrary<unknown> = wrongScalar) =>
    hostile
      ? fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fast }, wrong)
      : fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, fast);
  return fc.record({
    priority: option(fc.integer({ min: 1, max: 10 }), fc.constantFrom<unknown>(0, 11, 5.5, '5', null)),
    maxRetries: option(fc.integer({ min: 0, max: 3 }), fc.constantFrom<unknown>(-1, 11, 1.5, '2')),
    retryDelaySeconds: hostile
      ? fc.oneof({ weight: 4, arbitrary: fc.constant<unknown>(1) }, wrongScalar)
      : fc.constant(1),
    timeoutSeconds: option(fc.integer({ min: 5, max: 60 }), fc.constantFrom<unknown>(0, 841, 1e12, '60')),
    delaySeconds: option(
      fc.constantFrom(0, 1),
      fc.constantFrom<unknown>(-1, 1e12, 0.5, '1', 365 * 24 * 3600 + 1),
    ),
    runAt: option(
      fc.constant(isoIn(-3600)),
      fc.constantFrom<unknown>(
        'tomorrow',
        '2026-13-45T99:00:00Z',
        '',
        0,
        '0000-01-01T00:00:00Z',
        '+275760-09-13T00:00:00.000Z',
      ),
    ),
    deadline: option(
      fc.constantFrom(isoIn(-60), isoIn(3600)),
      fc.constantFrom<unknown>('yesterday', '2026-02-30T00:00:00Z', 1, '9999-12-31T23:59:59.999+23:59'),
    ),
    dependsOn: option(
      fc.oneof(
        fc.constant([]),
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }), { maxLength: 3 }),
      ),
      fc.constantFrom<unknown>(
        'x',
        [1],
        [''],
        Array.from({ length: 21 }, (_, i) => `j${i}`),
        [null],
      ),
    ),
    idempotencyKey: option(
      fc.oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 128 }),
        fc.constantFrom('__proto__', 'k#1'),
      ),
      fc.constantFrom<unknown>('', 'k'.repeat(129), 5, null),
    ),
    extra: hostile
      ? fc.option(fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 1 })), { freq: 3 })
      : fc.constant(null),
  });
};

const jobShaped: fc.Arbitrary<FuzzCase> = fc
  .record({
    what: commandAndParams,
    options: fc.oneof(options(false), options(true)),
    viaAgentPath: fc.boolean(),
  })
  .map(({ what, options: opts, viaAgentPath }) => {
    const { extra, ...fields } = opts;
    const entries: Array<[string, string]> = [];
    const path =
      viaAgentPath && typeof what.type === 'string' && typeof what.command === 'string'
        ? `/agents/${encodeURIComponent(what.type)}/${encodeURIComponent(what.command)}`
        : undefined;
    if (!path) entries.push(['type', JSON.stringify(what.type)], ['command', JSON.stringify(what.command)]);
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined) entries.push([key, JSON.stringify(value)]);
    if (extra) entries.push([extra[0], JSON.stringify(extra[1]) ?? 'null']);
    const params = what.params;
    const head = objectText(entries);
    const build = () =>
      params ? `${head.slice(0, -1)}${entries.length ? ',' : ''}"params":${params.text()}}` : head;
    return {
      label: `POST ${path ?? '/jobs'} ${params ? `${head.slice(0, -1)}, params: ${params.label}}` : head}`,
      method: 'POST',
      target: path ?? '/jobs',
      caller: 'user' as const,
      headers: [['content-type', 'application/json']],
      body: build,
      ...(params && { paramsText: params.text }),
    } as FuzzCase;
  });

const rawBodies: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      'not json',
      '{',
      '[]',
      'null',
      '"job"',
      '123',
      '{"type":',
      '{}',
      '{"type":"demo"}',
    ),
    fc.constant('\uFEFF{"type":"demo","command":"echo"}'),
    fc.constant('{"type":"demo","command":"echo","type":"nope"}'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    bigValue.map((value) => value.text),
  )
  .chain((text) =>
    fc.constantFrom('/jobs', '/agents/demo/echo').map(
      (target): FuzzCase => ({
        label: `POST ${target} raw ${typeof text === 'string' ? text : `(built) ${text.toString().slice(0, 60)}`}`,
        method: 'POST',
        target,
        caller: 'user',
        headers: [['content-type', 'application/json']],
        body: typeof text === 'string' ? () => text : text,
      }),
    ),
  );

const invalidUtf8: fc.Arbitrary<FuzzCase> = fc
  .constantFrom(
    Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
    Buffer.from('{"type":"demo","command":"echo","params":{"v":"\xc3\x28"}}', 'latin1'),
  )
  .map((bytes) => ({
    label: `POST /jobs bytes ${bytes.toString('hex')}`,
    method: 'POST',
    target: '/jobs',
    caller: 'user',
    headers: [['content-type', 'application/json']],
    body: () => bytes,
  }));

export const bodyCases: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 6, arbitrary: jobShaped },
  { weight: 2, arbitrary: rawBodies },
  invalidUtf8,
);
