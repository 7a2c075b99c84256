/**
 * The README's examples marked runnable (a fenced block whose info string is `bash runnable` or
 * `ts runnable`) run against the local stack exactly as written, so they cannot rot: bash blocks with
 * `set -euo pipefail`, TypeScript blocks as a module in the repo (so the workspace package resolves) under tsx.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/** Every fenced block marked runnable, with its language and line number. */
function runnableBlocks(markdown: string): Array<{ lang: string; code: string; line: number }> {
  const blocks: Array<{ lang: string; code: string; line: number }> = [];
  for (const match of markdown.matchAll(/^```(\w+) runnable\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    blocks.push({ lang: match[1] as string, code: match[2] as string, line });
  }
  return blocks;
}

const blocks = runnableBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
let stack: LocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startTestStack('readme');
  env = {
    ...process.env,
    JOBS_API_URL: stack.httpUrl,
    JOBS_WS_URL: stack.wsUrl,
    JOBS_TOKEN: await tokenFor('demo-user'),
  };
});

afterAll(async () => {
  await stack?.stop();
});

async function runBlock(lang: string, code: string): Promise<{ stdout: string; stderr: string }> {
  if (lang === 'bash')
    return exec('bash', ['-euo', 'pipefail', '-c', code], { cwd: root, env, timeout: 120_000 });
  if (lang === 'ts') {
    const file = join(root, `.readme-example-${randomBytes(4).toString('hex')}.ts`);
    writeFileSync(file, code);
    try {
      return await exec(process.execPath, ['--import', 'tsx', file], { cwd: root, env, timeout: 120_000 });
    } finally {
      rmSync(file, { force: true });
    }
  }
  throw new Error(`no runner for ${lang} blocks`);
}

describe('README examples', () => {
  it('has runnable examples for the CLI and the client library', () => {
    expect(blocks.map((block) => block.lang)).toEqual(expect.arrayContaining(['bash', 'ts']));
  });

  for (const { lang, code, line } of blocks) {
    it(`runs the ${lang} block at README.md:${line}`, async () => {
      const { stdout } = await runBlock(lang, code);
      // The examples end with finished jobs; `watch`/`--watch` exit non-zero (failing the block) otherwise.
      if (code.includes('--watch') || code.includes(' watch ')) expect(stdout).toMatch(/ completed /);
      if (lang === 'ts') expect(stdout).toContain('completed { slept: 2 }');
    });
  }
});
