/**
 * The `npm start` CLI itself, in child processes: it prints its URLs and a working token, keeps state in
 * its state directory across restarts, and runs jobs whose messages died with the in-memory SQS emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../functions/core/job.ts';
import { projectRoot } from '../../functions/local/local-secret.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { gone, killAll, npmStart as npmStartTree, type RunningStart } from '../support/npm-start.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'job-queue-state-'));
/** Quicker than the deployed 20 s / 120 s, so a run that stopped with the stack is recovered within seconds. */
const QUICK_RECOVERY = { HEARTBEAT_SECONDS: '2', STALE_AFTER_SECONDS: '8' };
const running = new Set<ChildProcess>();
const trees: RunningStart[] = [];

/** Starts `tsx functions/local/main.ts` (what `npm start` runs) and reads its banner. */
async function npmStart(): Promise<{ child: ChildProcess; httpUrl: string; wsUrl: string; token: string }> {
  const child = spawn(join(projectRoot, 'node_modules', '.bin', 'tsx'), ['functions/local/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: '0',
      WS_PORT: '0',
      LOCAL_STATE_DIR: stateDir,
      LOG_LEVEL: 'error',
      ...QUICK_RECOVERY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(async () => output.includes('Ready.') || child.exitCode !== null, 120_000, 100);
  if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
  const httpUrl = /HTTP API\s+(\S+)/.exec(output)?.[1] ?? '';
  const wsUrl = /WebSocket\s+(ws:\/\/[^/\s]+)/.exec(output)?.[1] ?? '';
  const token = /Demo token[^\n]*\n(\S+)/.exec(output)?.[1] ?? '';
  return { child, httpUrl, wsUrl, token };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  running.delete(child);
}

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
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

  it('prints URLs and a token, keeps jobs across restarts, and runs jobs whose messages were lost', async () => {
    const first = await npmStart();
    expect(first.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    let client = apiClient(first.httpUrl, first.token);
    const done = await client.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 'before' },
    });
    expect(done.status).toBe(202);
    await eventually(
      async () =>
        (await client.get<{ job: JobView }>(`/jobs/${done.body.job.id}`)).body.job.status === 'completed',
    );
    const waiting = await client.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 'after' },
      delaySeconds: 5,
    });
    await stop(first.child);

    const second = await npmStart();
    // The signing key is kept too: the first run's token still works.
    client = apiClient(second.httpUrl, first.token);
    expect((await client.get<{ job: JobView }>(`/jobs/${done.body.job.id}`)).body.job).toMatchObject({
      status: 'completed',
      result: { value: 'before' },
    });
    const ran = await eventually(async () => {
      const { job } = (await client.get<{ job: JobView }>(`/jobs/${waiting.body.job.id}`)).body;
      return job.status === 'completed' && job;
    });
    expect(ran.result).toEqual({ value: 'after' });
    await stop(second.child);
  });

  it('carries jobs running, retrying, scheduled and pending at a stop (graceful, then SIGKILL) to their end', async () => {
    type Client = ReturnType<typeof apiClient>;
    const submit = async (client: Client, body: Record<string, unknown>) =>
      (await client.post<{ job: JobView }>('/jobs', body)).body.job.id;
    const status = async (client: Client, id: string) =>
      (await client.get<{ job: JobView }>(`/jobs/${id}`)).body.job.status;
    // One job in each state a stop can catch: running, retrying (its first run failed), due later (a
    // delayed message) and pending (waiting for the running one).
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

    const first = await npmStartTree({ LOCAL_STATE_DIR: stateDir, ...QUICK_RECOVERY });
    trees.push(first);
    const atGracefulStop = await inFlight(apiClient(first.httpUrl, first.token));
    process.kill(first.npmPid, 'SIGINT');
    await gone(first);

    const second = await npmStartTree({ LOCAL_STATE_DIR: stateDir, ...QUICK_RECOVERY });
    trees.push(second);
    const atKill = await inFlight(apiClient(second.httpUrl, first.token));
    process.kill(second.serverPid, 'SIGKILL');
    await gone(second);

    const third = await npmStartTree({ LOCAL_STATE_DIR: stateDir, ...QUICK_RECOVERY });
    trees.push(third);
    const client = apiClient(third.httpUrl, first.token);
    for (const id of [...atGracefulStop, ...atKill]) {
      const job = await eventually(
        async () => {
          const { job } = (await client.get<{ job: JobView }>(`/jobs/${id}`)).body;
          return ['completed', 'failed', 'dead', 'cancelled'].includes(job.status) && job;
        },
        240_000,
        500,
      );
      expect(job.status, `${job.type}/${job.command} ${id}`).toBe('completed');
    }
    process.kill(third.npmPid, 'SIGINT');
    await gone(third);
  }, 900_000);
});
