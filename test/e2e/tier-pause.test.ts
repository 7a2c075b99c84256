/**
 * Tier pause on the local stack: a paused tier takes jobs and keeps them queued while the other tiers run;
 * resumed, its jobs run. The state shows in the stats and survives a restart of `npm start` (child
 * processes on one state directory), and only admins may switch it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobsClient } from '@tiered-job-queue/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import type { JobView } from '../../functions/core/job.ts';
import { localJwtSecret } from '../../functions/local/local-secret.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';
import { killAll, npmStart, type RunningStart, stopAndCheck } from '../support/npm-start.ts';

type Client = ReturnType<typeof apiClient>;
type JobBody = { job: JobView };
type Stats = { tiers: Record<string, { queued: number; paused: boolean }> };

let stack: LocalStack | undefined;
let admin: Client;
let user: Client;

beforeAll(async () => {
  stack = await startTestStack('tier-pause');
  admin = apiClient(stack.httpUrl, await tokenFor('ops', true));
  user = apiClient(stack.httpUrl, await tokenFor('tier-user'));
});
afterAll(async () => {
  await stack?.stop();
});

const submit = async (priority: number) =>
  (
    await user.post<JobBody>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: priority },
      priority,
    })
  ).body.job;
const status = async (id: string) => (await user.get<JobBody>(`/jobs/${id}`)).body.job.status;
const completed = (id: string) => eventually(async () => (await status(id)) === 'completed', 60_000);
const pausedTiers = async (client: Client) => {
  const { body } = await client.get<Stats>('/queue/stats');
  return Object.entries(body.tiers)
    .filter(([, tier]) => tier.paused)
    .map(([name]) => name);
};

describe('tier pause', () => {
  it('is for admins only, and names an unknown tier', async () => {
    const refused = await user.post<{ error: { code: string } }>('/admin/tiers/low/pause');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const unknown = await admin.post<{ error: { code: string; details: unknown } }>(
      '/admin/tiers/urgent/pause',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_error');
    expect(JSON.stringify(unknown.body.error.details)).toContain('tier');
    expect(await pausedTiers(admin)).toEqual([]);
  });

  it('keeps a paused tier jobs queued while other tiers run, and runs them once resumed', async () => {
    const paused = await admin.post('/admin/tiers/low/pause');
    expect(paused).toMatchObject({ status: 200, body: { tier: 'low', paused: true } });
    // Repeating is harmless.
    expect((await admin.post('/admin/tiers/low/pause')).body).toEqual({ tier: 'low', paused: true });
    expect(await pausedTiers(admin)).toEqual(['low']);
    expect(await pausedTiers(user)).toEqual(['low']);

    const low = await submit(2);
    const normal = await submit(5);
    expect(low).toMatchObject({ tier: 'low', status: 'queued' });
    await completed(normal.id);
    // The normal job ran through the whole system meanwhile; the low one is still waiting, with its message.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await status(low.id)).toBe('queued');
    await eventually(async () => (await admin.get<Stats>('/queue/stats')).body.tiers.low?.queued === 1);

    expect((await admin.post('/admin/tiers/low/resume')).body).toEqual({ tier: 'low', paused: false });
    await completed(low.id);
    expect(await pausedTiers(admin)).toEqual([]);
  });

  it('is switched by the client library and the CLI (jobs tiers pause|resume TIER)', async () => {
    const url = stack?.httpUrl ?? '';
    const adminToken = await tokenFor('ops', true);
    const sdk = new JobsClient({ apiUrl: url, token: adminToken });
    expect(await sdk.pauseTier('normal')).toEqual({ tier: 'normal', paused: true });
    expect((await sdk.stats()).tiers.normal?.paused).toBe(true);
    const cli = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const sink = (append: (text: string) => void) =>
        ({
          isTTY: false,
          write: (chunk: string) => {
            append(chunk);
            return true;
          },
        }) as unknown as NodeJS.WritableStream;
      const code = await run(args, {
        stdout: sink((text) => (stdout += text)),
        stderr: sink((text) => (stderr += text)),
        env: { JOBS_API_URL: url, JOBS_TOKEN: adminToken },
      });
      return { code, stdout, stderr };
    };
    expect(await cli('stats')).toMatchObject({ code: 0, stdout: expect.stringMatching(/normal .* paused/) });
    expect(await cli('--json', 'tiers', 'resume', 'normal')).toEqual({
      code: 0,
      stdout: '{"tier":"normal","paused":false}\n',
      stderr: '',
    });
    expect(await cli('tiers', 'pause', 'low')).toMatchObject({ code: 0, stdout: 'low paused\n' });
    expect(await cli('tiers', 'resume', 'low')).toMatchObject({ code: 0, stdout: 'low running\n' });
    expect((await cli('tiers', 'pause', 'urgent')).code).toBe(2);
    expect(await pausedTiers(admin)).toEqual([]);
  });

  it('stays paused across a restart of npm start, its queued jobs with it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tier-pause-state-'));
    const runs: RunningStart[] = [];
    try {
      const life = async (during: (admin: Client, demo: Client) => Promise<void>) => {
        const run = await npmStart({ LOCAL_STATE_DIR: stateDir });
        runs.push(run);
        const adminToken = await signToken(localJwtSecret(stateDir), { sub: 'ops', admin: true });
        await during(apiClient(run.httpUrl, adminToken), apiClient(run.httpUrl, run.token));
        await stopAndCheck(run, { target: 'npm', signal: 'SIGINT' });
      };
      const echo = async (client: Client, priority: number) =>
        (await client.post<JobBody>('/jobs', { type: 'demo', command: 'echo', priority })).body.job.id;
      const statusOf = async (client: Client, id: string) =>
        (await client.get<JobBody>(`/jobs/${id}`)).body.job.status;
      let waiting = '';
      await life(async (ops, demo) => {
        expect((await ops.post('/admin/tiers/high/pause')).body).toEqual({ tier: 'high', paused: true });
        waiting = await echo(demo, 7);
        const other = await echo(demo, 9);
        await eventually(async () => (await statusOf(demo, other)) === 'completed', 60_000, 200);
        expect(await statusOf(demo, waiting)).toBe('queued');
      });
      await life(async (ops, demo) => {
        expect(await pausedTiers(ops)).toEqual(['high']);
        const other = await echo(demo, 9);
        await eventually(async () => (await statusOf(demo, other)) === 'completed', 60_000, 200);
        expect(await statusOf(demo, waiting)).toBe('queued');
        expect((await ops.post('/admin/tiers/high/resume')).body).toEqual({ tier: 'high', paused: false });
        // Its message died with the in-memory SQS emulator: the start-up sweep re-sent it into the paused queue.
        await eventually(async () => (await statusOf(demo, waiting)) === 'completed', 60_000, 200);
      });
    } finally {
      for (const run of runs) killAll(run);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 600_000);
});
