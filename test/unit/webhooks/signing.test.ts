import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook } from '../../../functions/core/webhooks/signing.ts';

describe('webhook signing (Standard Webhooks)', () => {
  it('generates whsec_ secrets of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('matches the reference implementation: standardwebhooks signs the same and verifies ours', () => {
    const secret = generateWebhookSecret();
    const at = new Date();
    const body = JSON.stringify({
      type: 'job.completed',
      timestamp: at.toISOString(),
      data: { job: { id: 'j1' } },
    });
    const headers = signWebhook(secret, 'msg_1', at, body);
    const reference = new Verifier(secret);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toBe(reference.sign('msg_1', at, body));
    expect(reference.verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is the known HMAC of the specification example', () => {
    // The example of standard-webhooks' own test suite (secret, id, timestamp, payload, signature).
    const headers = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'id', new Date(), '{}')).toThrow(/whsec_/);
  });
});
