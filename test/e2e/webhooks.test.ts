/**
 * Webhooks end to end on the local stack: a receiver started here gets deliveries of job events that the
 * `standardwebhooks` package (the specification's reference implementation) verifies; a failing receiver
 * gets retries with the same `webhook-id`; the registration, listing, test event, delivery log and removal
 * routes answer as API.md says. Retries start after 1 s here (webhookRetryFirstDelaySeconds).
 */
import { JobsClient } from '@tiered-job-queue/client';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';
import { type Received, startReceiver } from '../support/webhook-receiver.ts';

let stack: LocalStack;
let user: ReturnType<typeof apiClient>;
let other: ReturnType<typeof apiClient>;
const closers: Array<() => Promise<void>> = [];

type Created = { webhook: { id: string; url: string; events: string[] }; secret: string };
type Deliveries = {
  deliveries: {
    id: string;
    event: string;
    jobId: string | null;
    attempt: number;
    status: string;
    responseStatus: number | null;
  }[];
};

beforeAll(async () => {
  stack = await startTestStack('hooks', { webhookRetryFirstDelaySeconds: 1 });
  user = apiClient(stack.httpUrl, await tokenFor(`hooks-${Date.now()}`));
  other = apiClient(stack.httpUrl, await tokenFor(`hooks-other-${Date.now()}`));
});

afterAll(async () => {
  for (const close of closers) await close();
  await stack?.stop();
});

async function receiver(status?: (n: number) => number) {
  const started = await startReceiver(status);
  closers.push(started.close);
  return started;
}

const verify = (secret: string, message: Received) =>
  new Verifier(secret).verify(message.body, {
    'webhook-id': String(message.headers['webhook-id']),
    'webhook-timestamp': String(message.headers['webhook-timestamp']),
    'webhook-signature': String(message.headers['webhook-signature']),
  }) as { type: string; timestamp: string; data: { job?: JobView; webhook?: { id: string } } };

describe('webhooks', () => {
  it('delivers signed job events that standardwebhooks verifies, only for the chosen events', async () => {
    const hook = await receiver();
    const created = await user.post<Created>('/webhooks', {
      url: hook.url,
      events: ['job.completed', 'job.failed'],
      description: 'e2e',
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.webhook).toMatchObject({ url: hook.url, events: ['job.completed', 'job.failed'] });

    const done = await user.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 7 },
    });
    const failed = await user.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'fail',
      params: { times: 1, permanent: true },
    });
    const cancelled = await user.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: {},
      delaySeconds: 600,
    });
    await user.post(`/jobs/${cancelled.body.job.id}/cancel`);

    await eventually(async () => hook.received.length >= 2, 60_000);
    const events = hook.received.map((message) => verify(created.body.secret, message));
    const byJob = new Map(events.map((event) => [event.data.job?.id, event]));
    expect(byJob.get(done.body.job.id)).toMatchObject({
      type: 'job.completed',
      data: { job: { status: 'completed', result: { value: 7 } } },
    });
    expect(byJob.get(failed.body.job.id)).toMatchObject({ type: 'job.failed' });
    // job.cancelled is not among the webhook's events.
    expect(byJob.has(cancelled.body.job.id)).toBe(false);
    // A tampered body fails verification.
    const first = hook.received[0] as Received;
    expect(() => verify(created.body.secret, { ...first, body: `${first.body} ` })).toThrow();

    const log = await eventually(async () => {
      const page = await user.get<Deliveries>(`/webhooks/${created.body.webhook.id}/deliveries`);
      return page.body.deliveries.filter((d) => d.status === 'delivered').length === 2 && page.body;
    });
    expect(log.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'job.completed',
          jobId: done.body.job.id,
          attempt: 1,
          responseStatus: 200,
        }),
      ]),
    );
  });

  it('retries a failing receiver with the same webhook-id and growing delays until it answers 2xx', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 204));
    // A user of its own: no job event of another test can reach this webhook (it takes all events).
    const user = apiClient(stack.httpUrl, await tokenFor(`hooks-retry-${Date.now()}`));
    const created = await user.post<Created>('/webhooks', { url: hook.url });
    const test = await user.post<{ delivery: { id: string; status: string } }>(
      `/webhooks/${created.body.webhook.id}/test`,
    );
    expect(test.status).toBe(202);
    expect(test.body.delivery.status).toBe('pending');

    await eventually(async () => hook.received.length >= 3, 60_000);
    const ids = new Set(hook.received.map((message) => message.headers['webhook-id']));
    expect(ids).toEqual(new Set([test.body.delivery.id]));
    for (const message of hook.received)
      expect(verify(created.body.secret, message).type).toBe('webhook.test');
    const [a, , c] = hook.received.map((message) => message.at) as [number, number, number];
    // The retries waited (1 s, then 2 s here; the visibility timeout carries the delays). Only a loose lower
    // bound: the emulator's timers are coarse on a busy machine; the schedule itself is unit-tested.
    expect(c - a).toBeGreaterThanOrEqual(1500);

    const delivered = await eventually(async () => {
      const page = await user.get<Deliveries>(`/webhooks/${created.body.webhook.id}/deliveries`);
      const row = page.body.deliveries[0];
      return row?.status === 'delivered' && row;
    });
    expect(delivered).toMatchObject({ event: 'webhook.test', jobId: null, attempt: 3, responseStatus: 204 });
  });

  it('lists, hides secrets, keeps users apart and removes', async () => {
    const hook = await receiver();
    const created = await user.post<Created>('/webhooks', { url: hook.url, events: ['job.dead'] });
    const id = created.body.webhook.id;
    const listed = await user.get<{ webhooks: Record<string, unknown>[] }>('/webhooks');
    const mine = listed.body.webhooks.find((webhook) => webhook.id === id);
    expect(mine).toMatchObject({ url: hook.url, events: ['job.dead'], description: null });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    expect((await other.get(`/webhooks/${id}/deliveries`)).status).toBe(404);
    expect((await other.post(`/webhooks/${id}/test`)).status).toBe(404);
    expect((await other.delete(`/webhooks/${id}`)).status).toBe(404);

    expect((await user.delete(`/webhooks/${id}`)).status).toBe(204);
    expect((await user.delete(`/webhooks/${id}`)).status).toBe(404);
    const after = await user.get<{ webhooks: { id: string }[] }>('/webhooks');
    expect(after.body.webhooks.map((webhook) => webhook.id)).not.toContain(id);
  });

  it('refuses bad registrations with validation_error', async () => {
    for (const body of [
      { url: 'ftp://127.0.0.1/hook' },
      { url: 'not a url' },
      { url: 'http://user:pw@127.0.0.1/hook' },
      { url: 'http://127.0.0.1/hook', events: ['job.started'] },
    ]) {
      const refused = await user.post('/webhooks', body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'validation_error' } });
    }
  });

  it('the client methods and the CLI webhooks commands (ls, add, test, deliveries, rm)', async () => {
    const hook = await receiver();
    // A user of its own: no job event of another test reaches these webhooks.
    const userToken = await tokenFor(`hooks-cli-${Date.now()}`);
    const sdk = new JobsClient({ apiUrl: stack.httpUrl, token: userToken });
    const cli = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const stream = (write: (text: string) => void) =>
        ({
          isTTY: false,
          write: (chunk: string) => {
            write(chunk);
            return true;
          },
        }) as unknown as NodeJS.WritableStream;
      const code = await run(args, {
        stdout: stream((text) => {
          stdout += text;
        }),
        stderr: stream((text) => {
          stderr += text;
        }),
        env: { JOBS_API_URL: stack.httpUrl, JOBS_TOKEN: userToken },
      });
      return { code, lines: stdout.split('\n').filter(Boolean), stderr };
    };

    const added = await cli('webhooks', 'add', hook.url, '--events', 'job.completed', '--description', 'cli');
    expect(added.code).toBe(0);
    const [id, secret] = added.lines as [string, string];
    expect(secret).toMatch(/^whsec_/);
    expect(added.stderr).toMatch(/not shown again/);
    expect((await cli('webhooks', 'ls')).lines.find((line) => line.startsWith(id))).toBe(
      `${id}\t${hook.url}\tjob.completed\tcli`,
    );
    const listed = await cli('--json', 'webhooks', 'ls');
    expect(JSON.parse(listed.lines[0] ?? '{}')).toEqual({ webhooks: await sdk.webhooks() });

    const tested = await cli('webhooks', 'test', id);
    expect(tested.lines[0]).toMatch(/^msg_\w+ pending$/);
    await eventually(async () => hook.received.length === 1);
    expect(verify(secret, hook.received[0] as Received).data.webhook?.id).toBe(id);
    const delivered = await eventually(async () => {
      const [latest] = await sdk.webhookDeliveries(id, { limit: 1 });
      return latest?.status === 'delivered' && latest;
    });
    expect(delivered.id).toBe(tested.lines[0]?.split(' ')[0]);
    expect((await cli('webhooks', 'deliveries', id)).lines[0]).toMatch(
      /\twebhook\.test\t-\tdelivered\tattempt 1\t200$/,
    );

    expect(await cli('webhooks', 'add', hook.url, '--events', 'job.started')).toMatchObject({ code: 2 });
    expect((await cli('webhooks', 'rm', id)).lines).toEqual([`removed ${id}`]);
    expect(await cli('webhooks', 'rm', id)).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/^not_found:/),
    });

    const created = await sdk.createWebhook({ url: hook.url });
    expect(created.webhook.events).toEqual(['job.completed', 'job.failed', 'job.dead', 'job.cancelled']);
    await sdk.deleteWebhook(created.webhook.id);
    await expect(sdk.testWebhook(created.webhook.id)).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});
