/**
 * The deployed reference page's script: the docs-asset function's bundle carries Redoc's script beside it
 * (infra/api-access.ts `files`), and the bundled handler serves it from there, not from node_modules.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCS_SCRIPT_FILE } from '../../functions/api/docs-page.ts';
import { apiHandlerNeeds } from '../../infra/api-access.ts';
import { JobFunction } from '../../infra/constructs/job-function.ts';

describe('docs-asset bundle', () => {
  // One real esbuild run, as the deployment makes it.
  const outdir = mkdtempSync(join(tmpdir(), 'docs-asset-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  new JobFunction(new Stack(app, 'Docs'), 'DocsAsset', {
    module: 'api/docs-asset',
    defaults: {
      servicePrefix: 'docs',
      logLevel: 'error',
      logRetention: RetentionDays.ONE_DAY,
      removalPolicy: RemovalPolicy.DESTROY,
    },
    files: apiHandlerNeeds['docs-asset']?.files ?? [],
  });
  app.synth();
  const assetDir = join(
    outdir,
    readdirSync(outdir).find((name) => existsSync(join(outdir, name, 'index.mjs'))) ?? '',
  );

  it('holds the Redoc script beside the handler', () => {
    expect(statSync(join(assetDir, DOCS_SCRIPT_FILE)).size).toBeGreaterThan(100_000);
  });

  it('serves it, gzipped when asked', async () => {
    const { handler } = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
    };
    const event = {
      version: '2.0',
      rawPath: `/docs/${DOCS_SCRIPT_FILE}`,
      headers: { 'accept-encoding': 'gzip, br' },
      requestContext: { http: { method: 'GET', path: `/docs/${DOCS_SCRIPT_FILE}` } },
      isBase64Encoded: false,
    };
    const result = await handler(event, { awsRequestId: 'test', getRemainingTimeInMillis: () => 29_000 });
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(result.headers).toMatchObject({ 'content-type': expect.stringMatching(/^text\/javascript/) });
    const script = gunzipSync(Buffer.from(String(result.body), 'base64')).toString('utf8');
    expect(script).toContain('Redoc');
  });
});
