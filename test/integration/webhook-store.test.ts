/** The DynamoDB webhook store against DynamoDB Local: ownership, listing, the delivery log's order and guards. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWebhookStore } from '../../functions/adapters/dynamodb/webhook-store.ts';
import type { Delivery, Webhook } from '../../functions/core/webhooks/model.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';

const client = dynamoClient();
let store: DynamoWebhookStore;

beforeAll(async () => {
  const tables = await provisionTables(client, uniquePrefix('wh-store'));
  store = new DynamoWebhookStore({ client, tableName: tables.Jobs as string, deliveryRetentionDays: 30 });
});
afterAll(() => client.destroy());

const webhook = (id: string, userId = 'u1'): Webhook => ({
  id,
  userId,
  url: `https://hooks.example.com/${id}`,
  events: ['job.completed'],
  description: id === 'a' ? 'first' : null,
  createdAt: '2026-05-01T00:00:00.000Z',
  sealedSecret: `aesgcm:${id}`,
});
const delivery = (id: string, createdAt: string): Delivery => ({
  id,
  webhookId: 'a',
  userId: 'u1',
  event: 'job.completed',
  jobId: `job-${id}`,
  attempt: 0,
  status: 'pending',
  responseStatus: null,
  createdAt,
  at: createdAt,
});

describe('DynamoDB webhook store', () => {
  it("keeps each user's webhooks apart and deletes only existing ones", async () => {
    await store.create(webhook('a'));
    await store.create(webhook('b'));
    await store.create(webhook('c', 'u2'));
    expect((await store.list('u1')).map((w) => w.id).sort()).toEqual(['a', 'b']);
    expect(await store.get('u1', 'a')).toEqual(webhook('a'));
    expect(await store.get('u2', 'a')).toBeNull();
    expect(await store.delete('u2', 'b')).toBe(false);
    expect(await store.delete('u1', 'b')).toBe(true);
    expect(await store.delete('u1', 'b')).toBe(false);
    expect((await store.list('u1')).map((w) => w.id)).toEqual(['a']);
  });

  it('logs deliveries once, newest first, and never moves one back from delivered', async () => {
    expect(await store.addDelivery(delivery('d1', '2026-05-01T00:00:01.000Z'))).toBe(true);
    expect(await store.addDelivery(delivery('d2', '2026-05-01T00:00:02.000Z'))).toBe(true);
    expect(await store.addDelivery(delivery('d1', '2026-05-01T00:00:01.000Z'))).toBe(false);
    const key = delivery('d1', '2026-05-01T00:00:01.000Z');
    await store.recordAttempt(key, {
      attempt: 1,
      status: 'delivered',
      responseStatus: 200,
      at: '2026-05-01T00:00:03.000Z',
    });
    await store.recordAttempt(key, {
      attempt: 2,
      status: 'pending',
      responseStatus: 500,
      at: '2026-05-01T00:00:04.000Z',
    });
    const log = await store.listDeliveries('u1', 'a', 10);
    expect(log.map((d) => d.id)).toEqual(['d2', 'd1']);
    expect(log[1]).toMatchObject({ status: 'delivered', attempt: 1, responseStatus: 200 });
    expect(await store.listDeliveries('u1', 'a', 1)).toHaveLength(1);
    // Deliveries never show up as webhooks.
    expect((await store.list('u1')).map((w) => w.id)).toEqual(['a']);
  });
});
