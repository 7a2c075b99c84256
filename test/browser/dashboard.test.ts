/**
 * The dashboard in a real browser against the local stack: sign-in through the URL fragment, live job rows
 * and progress, Cancel and Retry, dead letters grouped and redriven, the history charts from real rollups,
 * and a run without console errors or failed requests. One stack and one browser for the whole file; the
 * tests run in order and share the page. Screenshots of each view land in test-output/.
 */
import { type Job, JobsClient } from '@tiered-job-queue/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { registerBigStepsAgent } from '../support/big-steps-agent.ts';
import { attribute, type BrowserSession, openBrowser, text, visible } from '../support/browser.ts';
import { eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
let session: BrowserSession;
let page: Page;
let api: JobsClient;
let dashboardUrl: string;
const USER = 'dash-admin';

beforeAll(async () => {
  stack = await startTestStack('dash', { dashboardPort: 0 });
  dashboardUrl = stack.dashboardUrl as string;
  const token = await tokenFor(USER, true);
  api = new JobsClient({ apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, token });
  session = await openBrowser();
  page = session.page;
  await page.goto(`${dashboardUrl}#token=${token}`);
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
const jobSection = () => page.locator('section[data-job-id]');

/** Polls the page (not the test's clock) until `check` holds; generous for a busy machine. */
const until = <T>(check: () => Promise<T | undefined | false>, timeoutMs = 120_000) =>
  eventually(check, timeoutMs, 100);

describe('the dashboard', () => {
  it('signs in from the URL fragment and takes the token out of the address bar', async () => {
    await text(page.locator('header .user'), `${USER} (admin)`);
    expect(new URL(page.url()).hash).toBe('#/');
    expect(await page.evaluate("sessionStorage.getItem('jobs-dashboard.token')")).toMatch(/^ey/);
    await visible(page.getByRole('heading', { name: 'Jobs by status' }));
    await visible(page.locator('tr[data-tier="normal"]'));
    await text(page.locator('header [role="status"]'), 'live');
    await session.screenshot('overview-signed-in');
  });

  it('shows a submitted job live until it completes, its progress bar moving, without a reload', async () => {
    await page.evaluate("window.marker = 'same page'");
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Jobs', exact: true }));
    const job = await api.submit({ type: 'demo', command: 'sleep', params: { seconds: 4, steps: 8 } });
    await visible(row(job.id));
    const seen = new Set<number>();
    await until(async () => {
      const percent = Number(await row(job.id).getByRole('progressbar').getAttribute('aria-valuenow'));
      seen.add(percent);
      return (await row(job.id).getAttribute('data-status')) === 'completed';
    });
    await text(row(job.id).locator('.status'), 'completed');
    expect([...seen].some((percent) => percent > 0 && percent < 100)).toBe(true);
    // The bar shows the job's own figure: the last progress its agent reported.
    const finalPercent = String(Math.round((await api.get(job.id)).progress.percent));
    await attribute(row(job.id).getByRole('progressbar'), 'aria-valuenow', finalPercent);
    expect(await page.evaluate('window.marker')).toBe('same page');
    await session.screenshot('jobs');

    await row(job.id).getByRole('link', { name: job.id }).click();
    expect(new URL(page.url()).hash).toBe(`#/jobs/${job.id}`);
    await attribute(
      page.getByRole('progressbar', { name: 'Progress', exact: true }),
      'aria-valuenow',
      finalPercent,
    );
    await attribute(jobSection(), 'data-status', 'completed');
    await text(page.locator('.panel[aria-label="Result"] pre'), /"slept": 4/);
  });

  it('cancels a running job and retries it from the job page', async () => {
    const job = await api.submit({ type: 'demo', command: 'sleep', params: { seconds: 120, steps: 60 } });
    await page.goto(`${dashboardUrl}#/jobs/${job.id}`);
    await attribute(jobSection(), 'data-status', 'running', 60_000);
    expect(await page.getByRole('button', { name: 'Retry' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await attribute(jobSection(), 'data-status', 'cancelled', 60_000);
    await attribute(page.getByRole('button', { name: 'Cancel' }), 'disabled', '');
    await session.screenshot('job-cancelled');

    await page.getByRole('button', { name: 'Retry' }).click();
    await attribute(jobSection(), 'data-status', /queued|running/);
    await visible(page.locator('.timeline li').filter({ hasText: 'cancelled' }));
    await until(async () => (await api.get(job.id)).status === 'running' && true);
    await attribute(jobSection(), 'data-status', 'running');
    await session.screenshot('job');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await attribute(jobSection(), 'data-status', 'cancelled', 60_000);
    expect((await api.get(job.id)).attempt).toBe(2);
  });

  it('lists the durable steps of a job on its page', async () => {
    const job = await api.submit({
      type: 'demo',
      command: 'steps',
      params: { steps: 3, secondsPerStep: 0, failAtStep: 2 },
      retryDelaySeconds: 1,
    });
    await page.goto(`${dashboardUrl}#/jobs/${job.id}`);
    await attribute(jobSection(), 'data-status', 'completed', 60_000);
    const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    await until(async () => (await steps.count()) === 3);
    await text(steps.nth(1), /^2 completed attempt 2/);
  });

  it('shows the size of a step result kept in S3', async () => {
    await registerBigStepsAgent();
    const job = await api.submit({ type: 'bigsteps', command: 'run', params: { steps: 1, bytes: 20_000 } });
    await page.goto(`${dashboardUrl}#/jobs/${job.id}`);
    await attribute(jobSection(), 'data-status', 'completed', 60_000);
    const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    await text(steps.nth(0), /^1 completed attempt 1, .+, result in S3 \(20023 bytes\)$/);
  });

  it('downloads a result kept in S3 from the job page', async () => {
    const job = await api.submit({ type: 'demo', command: 'blob', params: { bytes: 300_000 } });
    await page.goto(`${dashboardUrl}#/jobs/${job.id}`);
    await attribute(jobSection(), 'data-status', 'completed', 60_000);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download result (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${job.id}-result.json`);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path, 'utf8') === `{"data":"${'x'.repeat(300_000)}"}`).toBe(true);
  });

  it('groups dead letters by error and redrives a selection, then all', async () => {
    const dead: Job[] = [];
    for (let i = 0; i < 2; i++) {
      const job = await api.submit({ type: 'demo', command: 'fail', params: { times: 5 }, maxRetries: 0 });
      dead.push(await api.wait(job.id, { timeoutMs: 60_000 }));
    }
    expect(dead.map((job) => job.status)).toEqual(['dead', 'dead']);
    const [first, second] = dead as [Job, Job];
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const group = page.locator(`section.group[data-error-code="${first.error?.code}"]`);
    await visible(group.locator(`[data-job-id="${first.id}"]`));
    await visible(group.locator(`[data-job-id="${second.id}"]`));
    await text(group.locator('.count-badge'), '2');
    await session.screenshot('dead-letters');

    await page.getByRole('checkbox', { name: `Select ${first.id}` }).check();
    await page.getByRole('button', { name: 'Redrive', exact: true }).click();
    await text(page.locator('main [role="status"]'), 'Requeued 1 job.');
    await until(async () => (await api.get(first.id)).attempt === 2);
    expect((await api.get(second.id)).attempt).toBe(1);

    await page.getByRole('button', { name: 'Redrive all' }).click();
    await text(page.locator('main [role="status"]'), /Requeued [12] jobs?\./);
    await until(async () => (await api.get(second.id)).attempt === 2);
  });

  it('draws the throughput and latency charts from the metric rollups', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await text(page.locator('li[data-status="completed"] .count'), /^[1-9]/);
    await session.screenshot('overview-counters');
    const completed = page.locator('svg path[data-series="completed"]');
    // The rollups are written as the stream is aggregated; the chart reads them again every 30 s.
    await until(async () => {
      if ((await completed.count()) === 0) {
        await page.reload();
        await page.waitForTimeout(2000);
        return false;
      }
      return Number(await completed.getAttribute('data-sum')) >= 1;
    }, 90_000);
    await attribute(page.locator('svg path[data-series="executionTime"]'), 'd', /^M/);
    await session.screenshot('overview');
  });

  it('pauses a tier from the overview, keeping its jobs queued, and resumes it', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    const lowRow = page.locator('tr[data-tier="low"]');
    await lowRow.getByRole('button', { name: 'Pause low' }).click();
    await visible(lowRow.getByRole('button', { name: 'Resume low' }));
    await text(lowRow.locator('td').last(), /paused/);
    expect((await api.stats()).tiers.low?.paused).toBe(true);
    const waiting = await api.submit({ type: 'demo', command: 'echo', priority: 1 });
    const other = await api.submit({ type: 'demo', command: 'echo', priority: 5 });
    await until(async () => (await api.get(other.id)).status === 'completed');
    expect((await api.get(waiting.id)).status).toBe('queued');
    await session.screenshot('overview-tier-paused');
    await lowRow.getByRole('button', { name: 'Resume low' }).click();
    await visible(lowRow.getByRole('button', { name: 'Pause low' }));
    await until(async () => (await api.get(waiting.id)).status === 'completed');
    expect((await api.stats()).tiers.low?.paused).toBe(false);
  });

  it('switches between light and dark by keyboard', async () => {
    const toggle = page.getByRole('button', { name: /Switch to dark theme/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await session.screenshot('overview-dark');
    await page.getByRole('button', { name: /Switch to light theme/ }).press('Enter');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
  });

  it('answers the CORS preflight for the dashboard origin only, as API Gateway does', async () => {
    const origin = new URL(dashboardUrl).origin;
    const preflight = (from: string) =>
      fetch(`${stack.httpUrl}/jobs`, {
        method: 'OPTIONS',
        headers: { origin: from, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lists schedules with their timetable, pauses and resumes one, and runs it now', async () => {
    const schedule = await api.schedules.create({
      name: 'browser nightly',
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      job: { type: 'demo', command: 'echo', params: { value: 'from a schedule' } },
    });
    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    const card = page.getByRole('region', { name: 'Schedule browser nightly' });
    await visible(card);
    await text(card.locator('dd.mono').first(), 'cron 30 2 * * * (Europe/Berlin)');
    await card.getByRole('button', { name: 'Pause' }).click();
    await text(card.locator('[data-field="next-run"]'), 'paused');
    expect((await api.schedules.get(schedule.id)).paused).toBe(true);
    await card.getByRole('button', { name: 'Resume' }).click();
    await visible(card.getByRole('button', { name: 'Pause' }));
    await card.getByRole('button', { name: 'Run now' }).click();
    const started = card.locator('tr[data-job-id]');
    await visible(started);
    await until(async () => (await started.first().getAttribute('data-status')) === 'completed');
    const jobId = (await started.first().getAttribute('data-job-id')) as string;
    expect(await api.get(jobId)).toMatchObject({
      scheduleId: schedule.id,
      result: { value: 'from a schedule' },
    });
    await session.screenshot('schedules');
    await api.schedules.delete(schedule.id);
  });

  it('ran without console errors or failed requests', () => {
    expect(session.problems).toEqual([]);
  });
});
