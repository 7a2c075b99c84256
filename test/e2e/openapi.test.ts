/**
 * The served OpenAPI document passes the Redocly lint (recommended rules, redocly.yaml) with no error, and
 * GET /docs serves a reference page whose assets come from this API, with no external URL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { apiClient } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';

const projectRoot = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

let stack: LocalStack;
let anonymous: ReturnType<typeof apiClient>;
const scratch = mkdtempSync(join(tmpdir(), 'openapi-'));

beforeAll(async () => {
  stack = await startTestStack('openapi');
  anonymous = apiClient(stack.httpUrl);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; message: string; severity: string }>;
}

describe('the served OpenAPI document', () => {
  it('names this deployment as its server', async () => {
    const { body } = await anonymous.get<{ servers: Array<{ url: string }> }>('/openapi.json');
    expect(body.servers).toEqual([expect.objectContaining({ url: stack.httpUrl })]);
  });

  it('passes `redocly lint` with the recommended rules and no error', async () => {
    const served = await anonymous.getText('/openapi.json');
    const file = join(scratch, 'openapi.json');
    writeFileSync(file, served.body);
    const cli = join(projectRoot, 'node_modules', '.bin', 'redocly');
    const config = join(projectRoot, 'redocly.yaml');
    // Exit code 1 means errors; the JSON report on stdout says which, so read it either way.
    const output = await run(cli, ['lint', file, '--config', config, '--format=json'], {
      cwd: projectRoot,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(output.stdout) as LintReport;
    expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });
});

describe('GET /docs', () => {
  it('serves a reference page whose assets load from this API, with no external URL', async () => {
    const page = await anonymous.getText('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const urls = [...page.body.matchAll(/\b(?:src|href|spec-url)="([^"]*)"/g)].map(([, url]) => url ?? '');
    expect(urls).toEqual(expect.arrayContaining(['/openapi.json', '/docs/redoc.standalone.js']));
    expect(urls.filter((url) => !url.startsWith('/') || url.startsWith('//'))).toEqual([]);
    expect(page.body).not.toMatch(/https?:\/\//);

    for (const url of urls) {
      const asset = await anonymous.getText(url);
      expect(asset.status, url).toBe(200);
    }
    const script = await anonymous.getText('/docs/redoc.standalone.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // fetch asks for gzip and unpacks it: the handler compressed the ~1 MB script.
    expect(script.headers.get('content-encoding')).toBe('gzip');
    expect(script.body.length).toBeGreaterThan(100_000);
    expect(script.body).toContain('Redoc');
  });
});
