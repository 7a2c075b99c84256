/**
 * The deployed reference page's script: the docs-asset function's bundle carries Redoc's script gzipped
 * beside it (infra/api-access.ts `gzippedFiles`), and the bundled handler serves it from there, not from
 * node_modules, as it is to callers that take gzip and unzipped to the others.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DOCS_SCRIPT_FILE,
  DOCS_SCRIPT_GZIP_FILE,
  DOCS_SCRIPT_SOURCE,
} from '../../functions/api/docs-page.ts';
import { apiHandlerNeeds } from '../../infra/api-access.ts';
import { JobFunction, projectRoot } from '../../infra/constructs/job-function.ts';

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
    gzippedFiles: apiHandlerNeeds['docs-asset']?.gzippedFiles ?? [],
  });
  app.synth();
  const assetDir = join(
    outdir,
    readdirSync(outdir).find((name) => existsSync(join(outdir, name, 'index.mjs'))) ?? '',
  );

  const installed = readFileSync(join(projectRoot, DOCS_SCRIPT_SOURCE), 'utf8');

  it("holds Redoc's script beside the handler, gzipped, and not the plain 1.1 MB file", () => {
    const gzip = readFileSync(join(assetDir, DOCS_SCRIPT_GZIP_FILE));
    expect(gzip.length).toBeLessThan(installed.length / 2);
    expect(gunzipSync(gzip).toString('utf8')).toBe(installed);
    expect(existsSync(join(assetDir, DOCS_SCRIPT_FILE))).toBe(false);
  });

  it("is bundled with the stack's import aliases (node:stream/web is not imported at cold start)", () => {
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(/from\s*"node:stream"/);
    expect(bundle).not.toMatch(/["']node:stream\/web["']/);
  });

  const request = async (headers: Record<string, string>) => {
    const { handler } = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
    };
    const event = {
      version: '2.0',
      rawPath: `/docs/${DOCS_SCRIPT_FILE}`,
      headers,
      requestContext: { http: { method: 'GET', path: `/docs/${DOCS_SCRIPT_FILE}` } },
      isBase64Encoded: false,
    };
    return handler(event, { awsRequestId: 'test', getRemainingTimeInMillis: () => 29_000 });
  };

  it('serves it, gzipped when asked', async () => {
    const result = await request({ 'accept-encoding': 'gzip, br' });
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(result.headers).toMatchObject({
      'content-type': expect.stringMatching(/^text\/javascript/),
      'content-encoding': 'gzip',
    });
    const script = gunzipSync(Buffer.from(String(result.body), 'base64')).toString('utf8');
    expect(script).toBe(installed);
  });

  it('serves it plain to a caller that does not take gzip', async () => {
    const result = await request({});
    expect(result).toMatchObject({ statusCode: 200, body: installed });
    expect(result.headers).not.toHaveProperty('content-encoding');
  });
});
