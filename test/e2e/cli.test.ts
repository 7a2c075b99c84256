/**
 * The `jobs` CLI against the local stack: every command, the `--json` output (exactly the API's JSON), and
 * the exit codes (0 ok, 1 job failed/dead/cancelled, 2 usage, 3 API or network error). Commands run in
 * process through `run()` with captured streams; the `jobs` bin itself is spawned to check real exit codes.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Job, JobsClient } from '@tiered-job-queue/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { secret, startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let token: string;
let adminToken: string;
let sdk: JobsClient;

beforeAll(async () => {
  stack = await startTestStack('cli');
  token = await tokenFor('cli-user');
  adminToken = await tokenFor('cli-ops', true);
  sdk = new JobsClient({ apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, token });
});

afterAll(async () => {
  await stack?.stop();
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

function collector() {
  let text = '';
  const stream = {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { stream, text: () => text };
}

async function jobs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const stdout = collector();
  const stderr = collector();
  const code = await run(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { JOBS_API_URL: stack.httpUrl, JOBS_WS_URL: stack.wsUrl, JOBS_TOKEN: token, ...env },
  });
  return {
    code,
    stdout: stdout.text(),
    stderr: stderr.text(),
    lines: stdout.text().split('\n').filter(Boolean),
  };
}

const parse = <T>(line: string | undefined): T => JSON.parse(line ?? 'null') as T;
const UUID = /^[0-9a-f-]{36}$/;

describe('jobs CLI', () => {
  it('submit prints the job id alone; get shows it, and with --json exactly the API body', async () => {
    const submitted = await jobs(['submit', 'demo/echo', '--params', '{"value":7}', '--priority', '8']);
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    expect(submitted.lines).toHaveLength(1);
    const id = submitted.lines[0] as string;
    expect(id).toMatch(UUID);
    const done = await sdk.wait(id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ priority: 8, tier: 'high', result: { value: 7 } });

    const human = await jobs(['get', id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/status\s+completed/);
    const json = await jobs(['get', id, '--json']);
    expect(json.lines).toHaveLength(1);
    expect(parse(json.lines[0])).toEqual({ job: await sdk.get(id) });
  });

  it('get points to a result kept in S3, and result prints it whole', async () => {
    const submitted = await jobs(['submit', 'demo/blob', '--params', '{"bytes":300000}', '--wait']);
    expect(submitted.code).toBe(0);
    const id = submitted.lines.at(-1)?.split(' ')[0] as string;
    expect(submitted.lines.at(-1)).toBe(`${id} completed (result over 256 KiB: jobs result ${id})`);
    const human = await jobs(['get', id]);
    expect(human.stdout).toContain(`(over 256 KiB: jobs result ${id})`);
    const result = await jobs(['result', id]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout === `{"data":"${'x'.repeat(300_000)}"}\n`).toBe(true);
    expect(parse((await jobs(['params', id])).lines[0])).toEqual({ bytes: 300_000 });
  });

  it('submit --wait exits 0 when the job completes and 1 when it fails', async () => {
    const ok = await jobs(['submit', 'demo/echo', '--params', '{"value":"w"}', '--wait', '--json']);
    expect(ok.code).toBe(0);
    expect(parse<{ job: Job }>(ok.lines[0]).job).toMatchObject({
      status: 'completed',
      result: { value: 'w' },
    });
    const failed = await jobs(['submit', 'demo/fail', '--params', '{"times":1,"permanent":true}', '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/ failed demo_permanent: /);
  });

  it('submit --watch --json streams one event per line, seq in order, ending completed', async () => {
    const out = await jobs([
      'submit',
      'demo/sleep',
      '--params',
      '{"seconds":1,"steps":2}',
      '--watch',
      '--json',
    ]);
    expect(out.code).toBe(0);
    const events = out.lines.map((line) => parse<{ type: string; job: Job }>(line));
    expect(events[0]?.type).toBe('job.snapshot');
    expect(events.slice(1).every((event) => event.type === 'job.updated')).toBe(true);
    const seqs = events.map((event) => event.job.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(events.at(-1)?.job).toMatchObject({ status: 'completed', result: { slept: 1 } });
  });

  it('watch prints one line per change when piped and ends with the status and result', async () => {
    const job = await sdk.submit({ type: 'demo', command: 'sleep', params: { seconds: 1, steps: 2 } });
    const out = await jobs(['watch', job.id]);
    expect(out.code).toBe(0);
    expect(out.lines.at(-1)).toBe(`${job.id} completed {"slept":1}`);
    expect(out.lines.slice(0, -1).every((line) => line.startsWith(`${job.id} `))).toBe(true);
  });

  it('ls, count, cancel, retry and stats', async () => {
    const own = await tokenFor('cli-lister');
    const env = { JOBS_TOKEN: own };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = await jobs(['submit', 'demo/echo', '--delay', '600', '--idempotency-key', `ls-${i}`], env);
      ids.push(out.lines[0] as string);
    }
    const page = await jobs(['ls', '--limit', '1', '--json'], env);
    const body = parse<{ jobs: Job[]; nextCursor: string | null }>(page.lines[0]);
    expect(body.jobs.map((job) => job.id)).toEqual([ids[1]]);
    expect(body.nextCursor).toEqual(expect.any(String));
    const all = await jobs(['ls', '--limit', '1', '--all', '--json'], env);
    expect(all.lines.flatMap((line) => parse<{ jobs: Job[] }>(line).jobs.map((job) => job.id))).toEqual(
      [...ids].reverse(),
    );
    const table = await jobs(['ls', '--status', 'queued'], env);
    expect(table.stdout).toContain(ids[0]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS/);

    // Counts come from counters the jobs stream moves: they catch up within seconds.
    await expect
      .poll(async () => (await jobs(['count'], env)).stdout, { timeout: 30_000, interval: 500 })
      .toBe('2\n');
    expect(parse((await jobs(['count', '--status', 'completed', '--json'], env)).lines[0])).toEqual({
      count: 0,
    });

    const cancelled = await jobs(['cancel', ids[0] as string, '--json'], env);
    expect(parse<{ job: Job }>(cancelled.lines[0]).job.status).toBe('cancelled');
    expect((await jobs(['cancel', ids[0] as string], env)).code).toBe(3);
    const retried = await jobs(['retry', ids[0] as string], env);
    expect(retried.stdout).toMatch(new RegExp(`^${ids[0]} (queued|scheduled)\\n$`));
    for (const id of ids) await jobs(['cancel', id], env);

    type Stats = { total: number; byStatus: Record<string, number>; tiers: Record<string, unknown> };
    const readStats = async () => parse<Stats>((await jobs(['stats', '--json'], env)).lines[0]);
    // The retried job may have run (echo) before its second cancel: each ends cancelled or completed.
    const ended = async () => {
      const { byStatus } = await readStats();
      return (byStatus.cancelled ?? 0) + (byStatus.completed ?? 0);
    };
    await expect.poll(ended, { timeout: 30_000, interval: 500 }).toBe(2);
    const stats = await readStats();
    expect(stats.total).toBe(2);
    expect(Object.keys(stats.tiers)).toEqual(['critical', 'high', 'normal', 'low']);
    expect((await jobs(['stats'], env)).stdout).toMatch(/^jobs\s+2 /);

    // Metrics history, counted from the jobs stream (it catches up within seconds).
    const submitted = async () =>
      parse<{ points: Array<{ submitted: number }> }>(
        (await jobs(['metrics', '--json'], env)).lines[0],
      ).points.reduce((sum, point) => sum + point.submitted, 0);
    await expect.poll(submitted, { timeout: 30_000, interval: 500 }).toBe(2);
    expect((await jobs(['metrics', '--step', '1h'], env)).stdout).toMatch(/^TIME\s+SUBMITTED/);
    expect((await jobs(['metrics', '--step', '7m'], env)).code).toBe(2);
  });

  it('admin commands: dead, redrive, recover, cleanup', async () => {
    const id = (await jobs(['submit', 'demo/fail', '--params', '{"times":3}', '--max-retries', '0']))
      .lines[0];
    expect((await jobs(['watch', id as string])).code).toBe(1);
    const admin = { JOBS_TOKEN: adminToken };
    const dead = await jobs(['dead', '--limit', '100', '--json'], admin);
    expect(parse<{ jobs: Job[] }>(dead.lines[0]).jobs.map((job) => job.id)).toContain(id);
    expect(await jobs(['redrive', id as string, '--json'], admin)).toMatchObject({
      code: 0,
      stdout: '{"requeued":1}\n',
    });
    expect((await jobs(['recover'], admin)).stdout).toMatch(/^recovered \d+\n$/);
    expect(await jobs(['cleanup', '--days', '1', '--json'], admin)).toMatchObject({
      stdout: '{"deleted":0,"complete":true,"nextCursor":null}\n',
    });
    const denied = await jobs(['recover']);
    expect(denied).toMatchObject({ code: 3, stdout: '' });
    expect(denied.stderr).toMatch(/^forbidden: /);
  });

  it('signs a local demo-user token when JOBS_TOKEN is unset (admin for admin commands)', async () => {
    const env = { JOBS_TOKEN: '', JWT_SECRET: secret };
    const id = (await jobs(['submit', 'demo/echo', '--delay', '600'], env)).lines[0] as string;
    const demo = new JobsClient({ apiUrl: stack.httpUrl, token: await tokenFor('demo-user') });
    expect((await demo.get(id)).id).toBe(id);
    expect((await jobs(['recover', '--json'], env)).code).toBe(0);
    await demo.cancel(id);
  });

  it('exit codes: 2 for usage errors, 3 for API and network errors (code: message on stderr)', async () => {
    expect((await jobs(['submit', 'no-slash'])).code).toBe(2);
    expect((await jobs(['submit', 'demo/echo', '--params', '[1]'])).code).toBe(2);
    expect((await jobs(['submit', 'demo/echo', '--priority', 'high'])).code).toBe(2);
    expect((await jobs(['submit', 'demo/echo', '--wait', '--watch'])).code).toBe(2);
    expect((await jobs(['redrive'])).code).toBe(2);
    expect((await jobs(['frobnicate'])).code).toBe(2);
    expect((await jobs(['--help'])).code).toBe(0);
    const missing = await jobs(['get', 'no-such-job']);
    expect(missing).toMatchObject({ code: 3, stdout: '', stderr: 'not_found: No job no-such-job\n' });
    const invalid = await jobs(['submit', 'demo/echo', '--priority', '99']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/^validation_error: /);
    const offline = await jobs(['count'], { JOBS_API_URL: 'http://127.0.0.1:9' });
    expect(offline.code).toBe(3);
    expect(offline.stderr).toMatch(/^network_error: /);
  });

  it('the jobs bin is the same program, with real exit codes', async () => {
    const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
    const env = { ...process.env, JOBS_API_URL: stack.httpUrl, JOBS_WS_URL: stack.wsUrl, JOBS_TOKEN: token };
    const exec = promisify(execFile);
    const failure = await exec(process.execPath, [bin, 'get', 'no-such-job'], { env }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('not_found: No job no-such-job'),
    });
  });
});
