/**
 * Issue 14's bundle goal as a guard: every handler bundled the way JobFunction bundles it (esbuild, minified
 * ESM for node22, @aws-sdk/* external) stays at most 120 KB, and none carries the full zod (the schemas use
 * zod/mini, functions/core/zod.ts). Plain esbuild, not a CDK synth: `npm run bench -- --only=bundles` has the
 * deployed bundles and their import times. What a bundle builds at load is its cold start: no handler but
 * GET /openapi.json carries the OpenAPI document's modules (every schema, the response schemas).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOutput, measuredBundleOptions, projectRoot } from '../../infra/constructs/job-function.ts';

const MAX_BUNDLE_BYTES = 120 * 1024;
const handlersDir = join(projectRoot, 'functions', 'handlers');
const modules = readdirSync(handlersDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

async function bundle(module: string) {
  const result = await build(measuredBundleOptions(module));
  const output = bundleOutput(result.metafile.outputs);
  return { bytes: output?.bytes ?? 0, inputs: Object.keys(output?.inputs ?? {}) };
}

describe('Lambda bundles', () => {
  it('finds the handlers', () => {
    expect(modules).toContain('worker');
    expect(modules).toContain('api/submit-job');
  });

  it.each(modules)(
    '%s is at most 120 KB, has no full zod and no schema only the OpenAPI document uses',
    async (module) => {
      const { bytes, inputs } = await bundle(module);
      expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      const classicZod = inputs.filter((path) => /node_modules\/zod\/v4\/classic\//.test(path));
      expect(classicZod.map((path) => relative(projectRoot, path))).toEqual([]);
      if (module !== 'api/openapi') {
        const documentOnly = inputs.filter((path) =>
          /functions\/api\/(schemas|openapi[^/]*)\.ts$/.test(path),
        );
        expect(documentOnly).toEqual([]);
      }
    },
  );
});
