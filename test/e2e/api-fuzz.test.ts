/**
 * Property-based fuzzing of the HTTP API on the local stack (real handlers, real emulators) with hostile
 * bodies, headers, paths, query strings and tokens, sent over raw sockets. For every request: an answer
 * (no hang, reset or empty reply), never a 5xx, every 4xx in the contract's error shape or API Gateway's own
 * `{"message"}`, and the statuses the contract fixes for the case (415 for non-JSON bodies, 401 for bad tokens,
 * 403 for non-admins, 200/400 for queries...). Afterwards the server is alive and every accepted job reaches a
 * terminal state with the params it was given.
 *
 * Inputs come from a fixed seed, so a failure replays: `FUZZ_SEED=<seed> npx vitest run test/e2e/api-fuzz.test.ts`.
 * Each category runs all its cases and reports every distinct problem with examples, not only the first.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { isTerminal } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { bodyCases } from '../support/fuzz/bodies.ts';
import { canonicalJson, type FuzzCase, genericProblems, shorten } from '../support/fuzz/fuzz-case.ts';
import {
  knownBodyCases,
  knownHeaderCases,
  knownPathCases,
  knownTokenCases,
} from '../support/fuzz/known-cases.ts';
import { headerCases, pathCases, queryCases } from '../support/fuzz/requests.ts';
import { tokenCases } from '../support/fuzz/tokens.ts';
import { secret, startTestStack, tokenFor } from '../support/local-stack.ts';
import { type RawResponse, rawRequest } from '../support/raw-http.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
/** FUZZ_RUNS=10 fuzzes ten times deeper (for a local hunt; `npm test` keeps the default under a minute). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const replay = `replay: FUZZ_SEED=${SEED} npx vitest run test/e2e/api-fuzz.test.ts`;

let stack: LocalStack;
const tokens: Record<'user' | 'other' | 'admin', string> = { user: '', other: '', admin: '' };
/** Every job the API accepted, by id: who owns it, what the case was, and the params it sent. */
const accepted = new Map<string, { owner: keyof typeof tokens; label: string; paramsText?: () => string }>();
let realCursor = 'none';
let unfinishedBody: Promise<RawResponse[]>;

beforeAll(async () => {
  stack = await startTestStack('fuzz');
  tokens.user = await tokenFor('fuzz-user');
  tokens.other = await tokenFor('fuzz-other');
  tokens.admin = await tokenFor('fuzz-admin', true);
  // Bodies that never arrive in full: answered after a timeout at best, so they run alongside everything else.
  unfinishedBody = Promise.all(
    [1_000, 10].map((promised) =>
      rawRequest(
        stack.httpUrl,
        {
          method: 'POST',
          target: '/jobs',
          headers: [
            ['authorization', `Bearer ${tokens.user}`],
            ['content-type', 'application/json'],
          ],
          body: promised > 10 ? '{"type":' : '',
          contentLength: promised,
        },
        60_000,
      ),
    ),
  );
});

afterAll(async () => {
  await stack?.stop();
});

function authorization(caller: FuzzCase['caller']): Array<[string, string]> {
  if (caller === 'none') return [];
  if (typeof caller === 'object') return [['authorization', caller.authorization]];
  return [['authorization', `Bearer ${tokens[caller]}`]];
}

let pick = 0;
function resolveTarget(target: string): string {
  const ids = [...accepted.keys()];
  return target
    .replaceAll('{accepted}', () => ids[pick++ % Math.max(ids.length, 1)] ?? 'no-job-yet')
    .replaceAll('{cursor}', realCursor);
}

/** Sends one case and returns what is wrong with the answer. */
async function check(fuzzCase: FuzzCase): Promise<string[]> {
  const target = resolveTarget(fuzzCase.target);
  const started = Date.now();
  const response = await rawRequest(stack.httpUrl, {
    method: fuzzCase.method,
    target,
    headers: [...authorization(fuzzCase.caller), ...(fuzzCase.headers ?? [])],
    ...(fuzzCase.body && { body: fuzzCase.body() }),
    ...(fuzzCase.contentLength !== undefined && { contentLength: fuzzCase.contentLength }),
  });
  const problems = genericProblems(response, fuzzCase.method);
  if (process.env.FUZZ_LOG)
    console.log(
      `${response.kind === 'answer' ? response.status : response.kind} in ${Date.now() - started} ms:`,
      shorten(fuzzCase.label, 200),
    );
  if (response.kind !== 'answer') return problems;
  const { status } = response;
  const parsed = parseJson(response.body);
  if (fuzzCase.expectStatus && !fuzzCase.expectStatus.includes(status))
    problems.push(
      `expected ${fuzzCase.expectStatus.join('/')}, got ${status} ${parsed?.error?.code ?? ''}`.trim(),
    );
  const job = parsed?.job;
  if (
    (status === 200 || status === 202) &&
    typeof job?.id === 'string' &&
    typeof fuzzCase.caller === 'string'
  ) {
    const owner = fuzzCase.caller as keyof typeof tokens;
    if (!accepted.has(job.id))
      accepted.set(job.id, {
        owner,
        label: fuzzCase.label,
        ...(fuzzCase.paramsText && status === 202 && { paramsText: fuzzCase.paramsText }),
      });
  }
  // Isolation: a listing for anyone but the fuzz user never shows the fuzz user's jobs.
  const listedAs = typeof fuzzCase.caller === 'string' ? fuzzCase.caller : fuzzCase.sub;
  if (
    status === 200 &&
    Array.isArray(parsed?.jobs) &&
    listedAs !== 'user' &&
    listedAs !== 'fuzz-user' &&
    !target.startsWith('/admin')
  ) {
    const leaked = (parsed.jobs as JobView[]).filter((listed) => accepted.get(listed.id)?.owner === 'user');
    if (leaked.length > 0) problems.push(`listing showed ${leaked.length} job(s) of another user`);
  }
  return problems;
}

function parseJson(text: string): { error?: { code?: string }; job?: JobView; jobs?: unknown } | undefined {
  try {
    return JSON.parse(text) as ReturnType<typeof parseJson>;
  } catch {
    return undefined;
  }
}

/** Sends the known cases and `runs` generated ones; fails listing every distinct problem with up to 3 examples. */
async function fuzz(
  name: string,
  known: FuzzCase[],
  arbitrary: fc.Arbitrary<FuzzCase>,
  runs: number,
  seedOffset: number,
) {
  const numRuns = Math.max(1, Math.round(runs * RUNS));
  const cases = [...known, ...fc.sample(arbitrary, { seed: SEED + seedOffset, numRuns })];
  const problems = new Map<string, string[]>();
  let failed = 0;
  let next = 0;
  // A few requests in flight at once: on a busy machine most of a request's time is waiting for the emulators.
  const lane = async () => {
    for (let fuzzCase = cases[next++]; fuzzCase; fuzzCase = cases[next++]) {
      const found = await check(fuzzCase);
      if (found.length > 0) failed++;
      for (const problem of found) {
        const examples = problems.get(problem) ?? [];
        if (examples.length < 3) examples.push(shorten(fuzzCase.label, 240));
        problems.set(problem, examples);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  const report = [...problems].map(
    ([problem, examples]) => `  ${problem}\n${examples.map((e) => `      e.g. ${e}`).join('\n')}`,
  );
  expect(
    failed,
    `${name}: ${failed} of ${cases.length} requests broke the contract (${replay})\n${report.join('\n')}`,
  ).toBe(0);
}

describe('API fuzz: hostile input never breaks the contract', () => {
  it('hostile submission bodies', { timeout: 120_000 }, async () => {
    await fuzz('bodies', knownBodyCases, bodyCases, 50, 1);
  });

  it('hostile headers and content types', { timeout: 120_000 }, async () => {
    await fuzz('headers', knownHeaderCases, headerCases(), 40, 2);
  });

  it('hostile paths and methods', { timeout: 120_000 }, async () => {
    await fuzz('paths', knownPathCases, pathCases(), 70, 3);
  });

  it('hostile query strings, cursors included', { timeout: 120_000 }, async () => {
    const page = await rawRequest(stack.httpUrl, {
      method: 'GET',
      target: '/jobs?limit=1',
      headers: authorization('user'),
    });
    const nextCursor = page.kind === 'answer' ? parseJson(page.body) : undefined;
    realCursor = encodeURIComponent(
      String((nextCursor as { nextCursor?: string } | undefined)?.nextCursor ?? 'none'),
    );
    await fuzz('queries', [], queryCases(), 50, 4);
  });

  it('hostile tokens', { timeout: 120_000 }, async () => {
    await fuzz('tokens', knownTokenCases(secret), tokenCases(secret), 80, 5);
  });

  it('answers a request whose body never arrives in full', { timeout: 120_000 }, async () => {
    const responses = await unfinishedBody;
    const problems = responses.flatMap((response) => genericProblems(response, 'POST'));
    expect(problems, replay).toEqual([]);
    for (const response of responses)
      expect(response.kind === 'answer' && response.status).toBeGreaterThanOrEqual(400);
  });

  it('is alive afterwards, and every accepted job ends with the params it was given', {
    timeout: 150_000,
  }, async () => {
    const health = await rawRequest(stack.httpUrl, { method: 'GET', target: '/health', headers: [] });
    expect(health.kind === 'answer' && [health.status, health.body]).toEqual([200, '{"ok":true}']);

    const until = Date.now() + 120_000;
    const final = new Map<string, JobView>();
    while (final.size < accepted.size && Date.now() < until) {
      for (const [id, { owner }] of accepted) {
        if (final.has(id)) continue;
        const response = await rawRequest(stack.httpUrl, {
          method: 'GET',
          target: `/jobs/${id}`,
          headers: authorization(owner),
        });
        const job = response.kind === 'answer' ? parseJson(response.body)?.job : undefined;
        if (job && isTerminal(job.status)) final.set(id, job);
      }
      if (final.size < accepted.size) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const problems: string[] = [];
    for (const [id, { label, paramsText, owner }] of accepted) {
      const job = final.get(id);
      if (!job) {
        problems.push(`job ${id} never reached a terminal state; accepted from ${shorten(label, 200)}`);
        continue;
      }
      if (!paramsText || job.type !== 'demo' || job.command !== 'echo') continue;
      // demo/echo's params schema keeps only `value` (other keys are dropped); `value` must come back unchanged.
      const sent = (JSON.parse(paramsText()) as { value?: unknown }).value ?? null;
      // Params and results over 256 KiB are kept in S3: read whole through their routes (following the redirect).
      const whole = async (which: 'params' | 'result') =>
        (await fetch(`${stack.httpUrl}/jobs/${id}/${which}`, { headers: authorization(owner) })).json();
      const params = (job.paramsTruncated ? await whole('params') : job.params) as JobView['params'];
      const result = job.resultTruncated ? await whole('result') : job.result;
      if (!sameJson(params?.value ?? null, sent))
        problems.push(
          `job ${id} params.value changed: ${shorten(canonicalJson(params))}; from ${shorten(label, 200)}`,
        );
      if (job.status === 'completed' && !sameJson(result, { value: sent }))
        problems.push(
          `job ${id} echoed another value: ${shorten(JSON.stringify(result) ?? '')}; from ${shorten(label, 200)}`,
        );
    }
    expect(problems, `${accepted.size} accepted jobs (${replay})\n${problems.join('\n')}`).toEqual([]);
  });
});

/** Deep equality of JSON values whatever the key order, even for values nested too deep to walk recursively. */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return JSON.stringify(a) === JSON.stringify(b);
  }
}
