/**
 * `npm start` ends cleanly however it is told to: a signal to npm or to the server, the terminal going away
 * (SIGHUP), or its parent dying (even SIGKILL). Nothing is left behind (no JVM, no bound port) and the
 * shutdown prints no error noise while a job is running.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { projectRoot } from '../../functions/local/local-secret.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { killAll, npmStart, type RunningStart, type StopHow, stopAndCheck } from '../support/npm-start.ts';

const dirs: string[] = [];
const runs: RunningStart[] = [];

afterAll(() => {
  for (const run of runs) killAll(run);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// One start per case, one after the other: each runs a JVM, and a busy machine cannot start many at once.
// The ways out covered here: the server's own SIGHUP handling, and the server noticing its parent died
// (SIGKILL to npm). test/e2e/restart.test.ts stops its three starts the other ways, with the same checks
// (stopAndCheck): npm forwarding SIGINT and SIGTERM to the server it execs, and the JVM noticing the server
// died (SIGKILL to the server).
describe('stopping npm start', () => {
  it.each<StopHow>([
    { target: 'server', signal: 'SIGHUP' },
    { target: 'npm', signal: 'SIGKILL' },
  ])(
    '$target gets $signal: no process and no port is left, and no error is printed',
    async (how) => {
      const dir = mkdtempSync(join(tmpdir(), 'job-queue-signal-'));
      dirs.push(dir);
      const run = await npmStart({ LOCAL_STATE_DIR: dir });
      runs.push(run);
      // A job is running while the stack stops: its abandoned heartbeats must not make noise.
      const client = apiClient(run.httpUrl, run.token);
      const { body } = await client.post<{ job: JobView }>('/jobs', {
        type: 'demo',
        command: 'sleep',
        params: { seconds: 60 },
      });
      await eventually(
        async () =>
          (await client.get<{ job: JobView }>(`/jobs/${body.job.id}`)).body.job.status === 'running',
        60_000,
      );
      await stopAndCheck(run, how);
    },
    300_000,
  );
});

describe('npm run token', () => {
  const token = (...args: string[]) =>
    spawnSync('npm', ['run', '--silent', 'token', '--', ...args], { cwd: projectRoot, encoding: 'utf8' });

  it('prints usage for --help, and a message with exit code 2 for bad arguments', () => {
    const help = token('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run --silent token -- --user <id>/);
    for (const bad of [['--bogus'], [], ['--user', 'a', '--expires', 'soon']]) {
      const result = token(...bad);
      expect(result.status, bad.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^token: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    const ok = token('--user', 'someone');
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
