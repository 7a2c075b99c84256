import { describe, expect, it } from 'vitest';
import { AesGcmSealer } from '../../../functions/adapters/webhooks/secret-sealer.ts';

describe('local webhook secret sealing (AES-256-GCM)', () => {
  const sealer = new AesGcmSealer('local-sealing-secret-0123456789');
  const context = { webhookId: 'wh-1', userId: 'u1' };

  it('opens what it sealed; the sealed value hides the secret and differs each time', async () => {
    const sealed = await sealer.seal('whsec_c2VjcmV0', context);
    expect(sealed).toMatch(/^aesgcm:/);
    expect(sealed).not.toContain('c2VjcmV0');
    expect(await sealer.seal('whsec_c2VjcmV0', context)).not.toBe(sealed);
    expect(await sealer.open(sealed, context)).toBe('whsec_c2VjcmV0');
  });

  it('does not open under another webhook, another user or another key', async () => {
    const sealed = await sealer.seal('whsec_c2VjcmV0', context);
    await expect(sealer.open(sealed, { ...context, webhookId: 'wh-2' })).rejects.toThrow();
    await expect(sealer.open(sealed, { ...context, userId: 'u2' })).rejects.toThrow();
    await expect(new AesGcmSealer('another-sealing-secret-987654').open(sealed, context)).rejects.toThrow();
  });
});
