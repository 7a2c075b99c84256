import { describe, expect, it } from 'vitest';
import { fitJson, jsonDepth, truncateBytes } from '../../functions/core/limits.ts';

const nested = (depth: number): unknown => {
  let value: unknown = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
};

describe('job limits', () => {
  it('measures nesting without recursion, even 20,000 levels deep', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth(nested(20_000))).toBe(20_000);
    expect(jsonDepth(nested(20_000), 10)).toBe(11);
  });

  it('refuses too deep, too large and unserializable values, and serializes the rest', () => {
    const limits = { maxBytes: 100, maxDepth: 40 };
    expect(fitJson(nested(10_000), limits)).toMatchObject({ ok: false, reason: 'too_deep' });
    expect(fitJson({ value: 'x'.repeat(200) }, limits)).toMatchObject({
      ok: false,
      reason: 'too_large',
      message: expect.stringContaining('at most 100 bytes'),
    });
    expect(fitJson({ n: 10n }, limits)).toMatchObject({ ok: false, reason: 'not_serializable' });
    expect(fitJson(nested(35), limits)).toMatchObject({ ok: true, bytes: 70 });
    expect(fitJson(undefined, limits)).toEqual({ ok: true, json: 'null', bytes: 4 });
  });

  it('cuts text by UTF-8 bytes without splitting a character', () => {
    expect(truncateBytes('short', 10)).toBe('short');
    const cut = truncateBytes('ab🙂🙂🙂', 9);
    expect(cut).toBe('ab🙂…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(9);
  });
});
