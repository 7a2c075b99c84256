import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openCursor, sealCursor } from '../../functions/api/sealed-cursor.ts';

const key = randomBytes(32);
const position = JSON.stringify({ pk: { S: 'JOB#1' }, userKey: { S: 'U#alice' } });

describe('sealed cursors', () => {
  it('round-trip for the same scope and hide what they hold', () => {
    const sealed = sealCursor(key, 'jobs:alice', position);
    expect(sealed).not.toBeNull();
    expect(Buffer.from(sealed ?? '', 'base64url').toString('latin1')).not.toContain('alice');
    expect(openCursor(key, 'jobs:alice', sealed ?? undefined)).toBe(position);
    expect(sealCursor(key, 'jobs:alice', null)).toBeNull();
    expect(openCursor(key, 'jobs:alice', undefined)).toBeUndefined();
  });

  it('refuse another scope, another key, any altered byte and plain base64', () => {
    const sealed = sealCursor(key, 'jobs:alice', position) ?? '';
    const raw = Buffer.from(sealed, 'base64url');
    const refusals = [
      () => openCursor(key, 'jobs:bob', sealed),
      () => openCursor(randomBytes(32), 'jobs:alice', sealed),
      () => openCursor(key, 'jobs:alice', Buffer.from(position).toString('base64url')),
      () => openCursor(key, 'jobs:alice', ''),
      ...Array.from({ length: raw.length }, (_, at) => () => {
        const altered = Buffer.from(raw);
        altered[at] = (altered[at] ?? 0) ^ 1;
        return openCursor(key, 'jobs:alice', altered.toString('base64url'));
      }),
    ];
    for (const refusal of refusals)
      expect(refusal).toThrow(expect.objectContaining({ code: 'validation_error' }));
  });
});
