/** The bundles' stand-in for `node:stream/web` (functions/adapters/lambda/stream-web.ts): `instanceof` as the real class. */
import { Readable } from 'node:stream';
import { ReadableStream as RealReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { ReadableStream } from '../../functions/adapters/lambda/stream-web.ts';

describe('ReadableStream stand-in', () => {
  it('recognises a web stream, as the real class does', () => {
    const stream = new RealReadableStream();
    expect(stream instanceof ReadableStream).toBe(true);
    expect(Readable.toWeb(Readable.from(['a'])) instanceof ReadableStream).toBe(true);
  });

  it('rejects what is not one: a Node stream, a string, a response object, null', () => {
    for (const value of [Readable.from(['a']), 'body', { statusCode: 200 }, null, undefined])
      expect(value instanceof ReadableStream).toBe(false);
  });
});
