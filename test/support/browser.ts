/**
 * One Chromium for a browser test file: Debian's `chromium` driven by playwright-core (no browser download;
 * `.ci/run` installs it). Every console error, page error, failed request and 4xx/5xx response is recorded so
 * a test can assert the run was clean. Screenshots go to the git-ignored test-output/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '../../test-output');

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Console errors, page errors, failed requests and error responses seen so far. */
  problems: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page aborts what it still had in flight; that is not a failure of the app.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`response ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    browser,
    page,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

/** Waits until the (first) element is visible. */
export const visible = (locator: Locator, timeoutMs = 30_000): Promise<void> =>
  locator.first().waitFor({ state: 'visible', timeout: timeoutMs });

/** Polls until `read` gives something matching `expected` (playwright-core has no `expect`); returns it. */
export async function settles(
  read: () => Promise<string | null>,
  expected: string | RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = await read().catch(() => null);
    if (last !== null && (typeof expected === 'string' ? last === expected : expected.test(last)))
      return last;
    if (Date.now() > until) throw new Error(`expected ${String(expected)}, last saw ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const attribute = (locator: Locator, name: string, expected: string | RegExp, timeoutMs?: number) =>
  settles(() => locator.first().getAttribute(name, { timeout: 1000 }), expected, timeoutMs);

export const text = (locator: Locator, expected: string | RegExp, timeoutMs?: number) =>
  settles(() => locator.first().textContent({ timeout: 1000 }), expected, timeoutMs);
