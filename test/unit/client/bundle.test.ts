/**
 * The client stays small and tree-shakable for browsers: bundled (esbuild, minified) it pulls in neither
 * the server (zod, the AWS SDK) nor `ws`, and an import of one export bundles only that.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('client bundle', () => {
  it('is a few kilobytes with nothing of the server in it', async () => {
    const code = await bundle("export * from '@tiered-job-queue/client';");
    const gzipped = gzipSync(code).length;
    expect(gzipped).toBeGreaterThan(1000);
    expect(gzipped).toBeLessThan(6 * 1024);
    expect(code).not.toMatch(/zod|@aws-sdk|ZodError/);
    expect(code).not.toMatch(/from\s*["']ws["']/);
  });

  it('tree-shakes: importing the error class alone bundles almost nothing', async () => {
    const code = await bundle(
      "import { JobsApiError } from '@tiered-job-queue/client'; console.log(JobsApiError);",
    );
    expect(code.length).toBeLessThan(600);
    expect(code).not.toContain('subscribe');
  });
});
