/** The JSON logger's error fields (functions/adapters/logger.ts): name, message and the stack, mapped on demand. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../../functions/adapters/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonLogger', () => {
  it("logs an error's name, message and stack, its bundle frames mapped by the map beside the bundle", () => {
    const bundle = join(dir, 'index.mjs');
    writeFileSync(bundle, 'throw new Error("x")\n');
    // A map in which generated line 1, column 0 comes from line 7, column 2 of functions/handlers/worker.ts.
    writeFileSync(
      `${bundle}.map`,
      JSON.stringify({
        version: 3,
        sources: ['../../functions/handlers/worker.ts'],
        names: [],
        mappings: 'AAME',
      }),
    );
    const lines: string[] = [];
    const logger = new JsonLogger({ service: 'test' }, 'info', (line) => lines.push(line));
    const error = new TypeError('no such job');
    error.stack = `TypeError: no such job\n    at run (${pathToFileURL(bundle).href}:1:1)`;
    logger.error('failed', { error });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'ERROR',
      message: 'failed',
      service: 'test',
      error: {
        name: 'TypeError',
        message: 'no such job',
        stack: 'TypeError: no such job\n    at run (functions/handlers/worker.ts:7:3)',
      },
    });
  });
});
