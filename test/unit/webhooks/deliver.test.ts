/** One delivery attempt with fake ports: signed headers, delivered, retried with growing delays, failed after 24 h. */
import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../functions/core/clock.ts';
import { DEFAULT_RETRY_SCHEDULE } from '../../../functions/core/webhooks/retry-schedule.ts';
import { generateWebhookSecret } from '../../../functions/core/webhooks/signing.ts';
import { deliverOnce } from '../../../functions/usecases/webhooks/deliver.ts';
import { secretContext } from '../../../functions/usecases/webhooks/manage.ts';
import {
  type DeliveryMessage,
  type ResolvedTarget,
  TargetRefusedError,
} from '../../../functions/usecases/webhooks/ports.ts';
import { MemoryWebhookStore, plainSealer } from '../../support/memory-webhooks.ts';

async function setup(answer: () => number | null, refuse = false) {
  const store = new MemoryWebhookStore();
  // The real time: standardwebhooks refuses timestamps more than five minutes off.
  const clock = new TestClock(new Date());
  const secret = generateWebhookSecret();
  const webhook = {
    id: 'wh-1',
    userId: 'u1',
    url: 'https://hooks.example.com/in',
    events: ['job.completed' as const],
    description: null,
    createdAt: clock.now().toISOString(),
    sealedSecret: await plainSealer.seal(secret, secretContext({ id: 'wh-1', userId: 'u1' })),
  };
  await store.create(webhook);
  const message: DeliveryMessage = {
    id: 'msg_abc',
    webhookId: 'wh-1',
    userId: 'u1',
    createdAt: clock.now().toISOString(),
    event: 'job.completed',
    jobId: 'j1',
    body: '{"type":"job.completed","timestamp":"2026-03-01T00:00:00.000Z","data":{"job":{"id":"j1"}}}',
  };
  await store.addDelivery({
    ...message,
    attempt: 0,
    status: 'pending',
    responseStatus: null,
    at: message.createdAt,
  });
  const posts: Array<{ headers: Record<string, string>; body: string; target: ResolvedTarget }> = [];
  const deps = {
    store,
    sealer: plainSealer,
    clock,
    schedule: DEFAULT_RETRY_SCHEDULE,
    resolver: {
      resolve: async (url: string) => {
        if (refuse) throw new TargetRefusedError('resolves to a private address');
        return { url: new URL(url), address: '93.184.215.14', family: 4 as const };
      },
    },
    sender: {
      post: async (target: ResolvedTarget, headers: Record<string, string>, body: string) => {
        posts.push({ target, headers, body });
        return { status: answer() };
      },
    },
  };
  return { deps, store, clock, secret, message, posts };
}

describe('a webhook delivery attempt', () => {
  it('posts the body signed with the secret and records a 2xx as delivered', async () => {
    const { deps, store, secret, message, posts } = await setup(() => 204);
    expect(await deliverOnce(deps, message, 1)).toEqual({ kind: 'delivered', status: 204 });
    const [post] = posts;
    expect(post?.target.address).toBe('93.184.215.14');
    expect(new Verifier(secret).verify(post?.body ?? '', post?.headers ?? {})).toMatchObject({
      type: 'job.completed',
    });
    expect(post?.headers['webhook-id']).toBe('msg_abc');
    expect(store.deliveries.get('msg_abc')).toMatchObject({
      status: 'delivered',
      attempt: 1,
      responseStatus: 204,
    });
  });

  it('retries a non-2xx or no answer with growing delays, the first within 30 s', async () => {
    const answers = [500, null, 302];
    const { deps, store, clock, message } = await setup(() => answers.shift() ?? 500);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const outcome = await deliverOnce(deps, message, attempt);
      if (outcome.kind !== 'retry') throw new Error(`expected a retry, got ${outcome.kind}`);
      delays.push(outcome.delaySeconds);
      clock.tick(outcome.delaySeconds * 1000);
    }
    expect(delays[0]).toBeLessThanOrEqual(30);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[2]).toBeGreaterThan(delays[0] as number);
    // A redirect is not followed: 302 counts as a failed attempt.
    expect(store.deliveries.get('msg_abc')).toMatchObject({
      status: 'pending',
      attempt: 3,
      responseStatus: 302,
    });
  });

  it('gives up 24 hours after the delivery began and records it failed', async () => {
    const { deps, store, clock, message } = await setup(() => 503);
    clock.tick(24 * 3600 * 1000);
    expect(await deliverOnce(deps, message, 25)).toMatchObject({ kind: 'failed', status: 503 });
    expect(store.deliveries.get('msg_abc')).toMatchObject({ status: 'failed', attempt: 25 });
  });

  it('counts a target refused at delivery time (DNS changed to a private address) as a failed attempt', async () => {
    const { deps, store, message, posts } = await setup(() => 200, true);
    expect(await deliverOnce(deps, message, 1)).toMatchObject({ kind: 'retry', status: null });
    expect(posts).toEqual([]);
    expect(store.deliveries.get('msg_abc')).toMatchObject({ status: 'pending', responseStatus: null });
  });

  it('drops the delivery of a deleted webhook', async () => {
    const { deps, store, message, posts } = await setup(() => 200);
    await store.delete('u1', 'wh-1');
    expect(await deliverOnce(deps, message, 1)).toEqual({ kind: 'dropped' });
    expect(posts).toEqual([]);
    expect(store.deliveries.get('msg_abc')?.status).toBe('failed');
  });
});
