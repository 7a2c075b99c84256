/**
 * The `npm start` CLI itself, in child processes: it prints its URLs and a working token, keeps state (jobs
 * and signing key) in its state directory across restarts, and carries jobs running, retrying, scheduled
 * and pending at a stop to their end, including those whose messages died with the in-memory SQS
 * emulator. The three stops are three ways out that test/e2e/process-lifecycle.test.ts then need not
 * repeat: SIGINT to npm, SIGKILL to the server, SIGTERM to npm; each leaves no process, no bound port and
 * no error noise behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { projectRoot } from '../../functions/local/local-secret.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { killAll, npmStart, type RunningStart, type StopHow, stopAndCheck } from '../support/npm-start.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'job-queue-state-'));
/** Quicker than the deployed 20 s / 120 s, so a run that stopped with the stack is recovered within seconds. */
const QUICK_RECOVERY = { HEARTBEAT_SECONDS: '2', STALE_AFTER_SECONDS: '8' };
const trees: RunningStart[] = [];

afterAll(async () => {
  for (const tree of trees) killAll(tree);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('says plainly that Java is missing when it is', async () => {
    // Node itself by absolute path; PATH points nowhere, so `java` cannot be found.
    const emptyDir = mkdtempSync(join(tmpdir(), 'no-java-'));
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'functions/local/main.ts'],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          PATH: emptyDir,
          PORT: '0',
          WS_PORT: '0',
          DASHBOARD_PORT: '0',
          LOCAL_STATE_DIR: stateDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    rmSync(emptyDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain('Java 11+ is required for DynamoDB Local');
    expect(stderr).toContain('apt-get install -y openjdk-17-jre-headless');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('keeps jobs and its key across stops (SIGINT, SIGKILL, SIGTERM) and carries jobs running, retrying, scheduled and pending at each to their end', async () => {
    type Client = ReturnType<typeof apiClient>;
    const submit = async (client: Client, body: Record<string, unknown>) =>
      (await client.post<{ job: JobView }>('/jobs', body)).body.job.id;
    const view = async (client: Client, id: string) =>
      (await client.get<{ job: JobView }>(`/jobs/${id}`)).body.job;
    const status = async (client: Client, id: string) => (await view(client, id)).status;
    // One job in each state a stop can catch: running, retrying (its first run failed), due later (a
    // delayed message, lost with the emulator) and pending (waiting for the running one).
    const inFlight = async (client: Client) => {
      const runningId = await submit(client, { type: 'demo', command: 'sleep', params: { seconds: 8 } });
      const retryingId = await submit(client, {
        type: 'demo',
        command: 'fail',
        params: { times: 1 },
        retryDelaySeconds: 30,
      });
      const scheduledId = await submit(client, { type: 'demo', command: 'echo', delaySeconds: 20 });
      const pendingId = await submit(client, { type: 'demo', command: 'echo', dependsOn: [runningId] });
      await eventually(
        async () =>
          (await status(client, runningId)) === 'running' &&
          (await status(client, retryingId)) === 'retrying',
        120_000,
        200,
      );
      // Due in 20 s: waiting in the queue's delay (`queued`), or `scheduled` on a slow machine.
      expect(['queued', 'scheduled']).toContain(await status(client, scheduledId));
      expect(await status(client, pendingId)).toBe('pending');
      return [runningId, retryingId, scheduledId, pendingId];
    };
    // One start of `npm start` on the state directory: `during` runs against it, then it is stopped.
    // Every start is called with the first start's token: the signing key is kept in the state too.
    let token = '';
    const life = async (stop: StopHow, during: (client: Client, run: RunningStart) => Promise<void>) => {
      const run = await npmStart({ LOCAL_STATE_DIR: stateDir, ...QUICK_RECOVERY });
      trees.push(run);
      token ||= run.token;
      await during(apiClient(run.httpUrl, token), run);
      await stopAndCheck(run, stop);
    };

    let done = '';
    let atGracefulStop: string[] = [];
    let atKill: string[] = [];
    await life({ target: 'npm', signal: 'SIGINT' }, async (client, run) => {
      expect(run.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(run.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      done = await submit(client, { type: 'demo', command: 'echo', params: { value: 'before' } });
      await eventually(async () => (await status(client, done)) === 'completed');
      atGracefulStop = await inFlight(client);
    });
    await life({ target: 'server', signal: 'SIGKILL' }, async (client) => {
      expect(await view(client, done)).toMatchObject({ status: 'completed', result: { value: 'before' } });
      atKill = await inFlight(client);
    });
    await life({ target: 'npm', signal: 'SIGTERM' }, async (client) => {
      for (const id of [...atGracefulStop, ...atKill]) {
        const job = await eventually(
          async () => {
            const job = await view(client, id);
            return ['completed', 'failed', 'dead', 'cancelled'].includes(job.status) && job;
          },
          240_000,
          500,
        );
        expect(job.status, `${job.type}/${job.command} ${id}`).toBe('completed');
      }
      // The statistics, counted from the table stream, missed no change across the stops: the stream
      // consumer resumed where it was each time.
      const jobs = 1 + atGracefulStop.length + atKill.length;
      const stats = await eventually(
        async () => {
          const { body } = await client.get<{ byStatus: Record<string, number>; total: number }>(
            '/queue/stats',
          );
          return body.byStatus.completed === jobs && body;
        },
        60_000,
        500,
      );
      expect(stats.total).toBe(jobs);
      expect(Object.entries(stats.byStatus).filter(([, n]) => n !== 0)).toEqual([['completed', jobs]]);
    });
  }, 900_000);
});
