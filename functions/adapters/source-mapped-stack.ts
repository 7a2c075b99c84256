/**
 * Maps the frames of a logged error's stack back to the project's sources, on demand. The bundles are
 * minified with a linked source map beside them; Node's `--enable-source-maps` would map every stack, but
 * it reads and indexes the map of every module at import (3-6 ms of each cold start, more for larger
 * bundles: README "Performance and cost"). Stacks are logged only for unexpected errors, so the map is read
 * here instead, the first time a stack from its bundle is logged, and kept.
 *
 * A frame `file:///var/task/index.mjs:1:2345` becomes `functions/usecases/submit-job.ts:42:7` (the path as
 * the map names it, without the leading `../`); frames without a map beside their file, or that the map
 * does not cover, stay as they are, and so does the whole stack if anything goes wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

function mapOf(fileUrl: string): SourceMap | undefined {
  if (!maps.has(fileUrl)) {
    const path = `${fileURLToPath(fileUrl)}.map`;
    maps.set(fileUrl, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : undefined);
  }
  return maps.get(fileUrl);
}

const FRAME = /(file:\/\/\/[^\s()]+\.mjs):(\d+):(\d+)/g;

export function sourceMappedStack(stack: string): string {
  try {
    return stack.replace(FRAME, (frame, fileUrl: string, line: string, column: string) => {
      const origin = mapOf(fileUrl)?.findOrigin(Number(line), Number(column));
      if (!origin || !('fileName' in origin)) return frame;
      return `${origin.fileName.replace(/^(\.\.\/)+/, '')}:${origin.lineNumber}:${origin.columnNumber}`;
    });
  } catch {
    return stack;
  }
}
