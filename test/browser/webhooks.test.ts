/**
 * The dashboard's webhooks page in a real browser against the local stack: add an endpoint (its secret
 * shown once), send a test event that a local receiver gets, watch the delivery turn `delivered` in the
 * recent deliveries without a reload, and remove the endpoint.
 */
import { JobsClient } from '@tiered-job-queue/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { type BrowserSession, openBrowser, text, visible } from '../support/browser.ts';
import { eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';
import { startReceiver } from '../support/webhook-receiver.ts';

let stack: LocalStack;
let session: BrowserSession;
let page: Page;
let api: JobsClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  stack = await startTestStack('dash-hooks', { dashboardPort: 0 });
  receiver = await startReceiver();
  const token = await tokenFor(`dash-hooks-${Date.now()}`);
  api = new JobsClient({ apiUrl: stack.httpUrl, token });
  session = await openBrowser();
  page = session.page;
  await page.goto(`${stack.dashboardUrl}#token=${token}`);
});

afterAll(async () => {
  await session?.close();
  await receiver?.close();
  await stack?.stop();
});

describe('the webhooks page', () => {
  it('adds an endpoint, sends a test event, shows its delivery, and removes it', async () => {
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Webhooks', exact: true }));
    const form = page.getByRole('form', { name: 'Add a webhook' });
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description').fill('browser');
    await form.getByRole('checkbox', { name: 'job.dead' }).uncheck();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await text(page.getByRole('status').filter({ hasText: 'Webhook added' }), /shown only now: whsec_/);

    const [webhook] = await api.webhooks();
    expect(webhook).toMatchObject({
      url: receiver.url,
      description: 'browser',
      events: ['job.completed', 'job.failed', 'job.cancelled'],
    });
    const endpoint = page.getByRole('region', { name: `browser (${receiver.url})` });
    await visible(endpoint);
    await endpoint.getByRole('button', { name: 'Send test' }).click();
    await eventually(async () => receiver.received.length === 1, 60_000);
    const deliveries = endpoint.getByRole('table', { name: `Recent deliveries to ${receiver.url}` });
    await text(deliveries.locator('tr[data-delivery-id] .status'), 'delivered', 60_000);
    await session.screenshot('webhooks');

    await endpoint.getByRole('button', { name: 'Remove' }).click();
    await text(page.getByRole('status').filter({ hasText: 'Removed' }), `Removed ${receiver.url}.`);
    expect(await api.webhooks()).toEqual([]);
    await eventually(async () => (await endpoint.count()) === 0, 30_000);
  });

  it('ran without console errors or failed requests', () => {
    expect(session.problems).toEqual([]);
  });
});
