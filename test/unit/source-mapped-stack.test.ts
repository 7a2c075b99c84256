/**
 * Stacks of logged errors mapped to the sources on demand (functions/adapters/source-mapped-stack.ts),
 * against a real minified bundle with a linked map, built as JobFunction builds them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceMappedStack } from '../../functions/adapters/source-mapped-stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'mapped-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stack of what the bundle throws, in a plain `node` (the test runner maps stacks itself). */
async function thrownBy(name: string, source: string, sourcemap: 'linked' | false): Promise<string> {
  writeFileSync(join(dir, `${name}.ts`), source);
  const outfile = join(dir, name, 'index.mjs');
  await build({
    entryPoints: [join(dir, `${name}.ts`)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    outfile,
    sourcemap,
    sourcesContent: false,
    logLevel: 'silent',
  });
  const script = `try { (await import(${JSON.stringify(pathToFileURL(outfile).href)})).run() } catch (e) { console.log(e.stack) }`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

const SOURCE = [
  'export function run(): void {',
  '  const value = Number(process.env.NEVER_SET ?? 1);',
  '  if (value > 0) throw new Error("bad value " + value);',
  '}',
  '',
].join('\n');

describe('sourceMappedStack', () => {
  it('maps the frames of a minified bundle to the line and column of the source', async () => {
    const stack = await thrownBy('mapped', SOURCE, 'linked');
    expect(stack).toMatch(/mapped\/index\.mjs:1:\d+/);
    const mapped = sourceMappedStack(stack);
    expect(mapped).toContain('Error: bad value 1');
    expect(mapped).toMatch(/mapped\.ts:3:\d+/);
    expect(mapped).not.toMatch(/mapped\/index\.mjs/);
  });

  it('leaves frames without a map beside their file as they are', async () => {
    const stack = await thrownBy('unmapped', SOURCE, false);
    expect(stack).toMatch(/unmapped\/index\.mjs:1:\d+/);
    expect(sourceMappedStack(stack)).toBe(stack);
  });

  it('leaves other stacks alone', () => {
    const stack = 'Error: x\n    at f (node:internal/foo:1:2)\n    at g (/work/app.ts:3:4)';
    expect(sourceMappedStack(stack)).toBe(stack);
  });
});
