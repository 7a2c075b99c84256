import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  createVerifier,
  isAdminClaims,
  signToken,
  TokenError,
} from '../../functions/adapters/auth/jwt-verifier.ts';

const secret = 'unit-test-secret-unit-test-secret';
const verify = createVerifier({ mode: 'hs256', secret });
const key = new TextEncoder().encode(secret);
const hs256 = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });

describe('JWT verification', () => {
  it('accepts a token it signed and reads the user', async () => {
    expect(await verify(await signToken(secret, { sub: 'alice' }))).toMatchObject({
      userId: 'alice',
      isAdmin: false,
    });
    expect(await verify(await signToken(secret, { sub: 'root', admin: true }))).toMatchObject({
      userId: 'root',
      isAdmin: true,
    });
  });

  it('rejects a token signed with another key, an expired token, and one without sub', async () => {
    await expect(
      verify(await signToken('another-secret-another-secret!!', { sub: 'alice' })),
    ).rejects.toThrow(TokenError);
    await expect(verify(await signToken(secret, { sub: 'alice', expiresIn: '-1s' }))).rejects.toThrow(
      TokenError,
    );
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verify(noSub)).rejects.toThrow('the token has no sub');
  });

  it('returns when the token expires', async () => {
    const before = Math.floor(Date.now() / 1000);
    const principal = await verify(await signToken(secret, { sub: 'alice', expiresIn: '1h' }));
    expect(principal.tokenExpiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(principal.tokenExpiresAt).toBeLessThanOrEqual(before + 3602);
  });

  it('refuses a token without exp', async () => {
    const noExp = await hs256({ sub: 'alice' }).setIssuedAt().sign(key);
    await expect(verify(noExp)).rejects.toThrow(TokenError);
  });

  it('refuses a token that lives longer than the maximum (by iat, or from now without iat)', async () => {
    const strict = createVerifier({ mode: 'hs256', secret, maxLifetimeSeconds: 3600 });
    await expect(strict(await signToken(secret, { sub: 'alice', expiresIn: '2h' }))).rejects.toThrow(
      /lives longer/,
    );
    const noIat = await hs256({ sub: 'alice' }).setExpirationTime('2h').sign(key);
    await expect(strict(noIat)).rejects.toThrow(/lives longer/);
    expect(await strict(await signToken(secret, { sub: 'alice', expiresIn: '59m' }))).toMatchObject({
      userId: 'alice',
    });
    // The default maximum (24 h) holds the local signer's default lifetime.
    await expect(verify(await signToken(secret, { sub: 'alice', expiresIn: '30d' }))).rejects.toThrow(
      /lives longer/,
    );
    expect(await verify(await signToken(secret, { sub: 'alice' }))).toMatchObject({ userId: 'alice' });
  });

  it('refuses a validly signed token whose sub is too long or has unsafe characters', async () => {
    await expect(verify(await signToken(secret, { sub: 'a'.repeat(5000) }))).rejects.toThrow(/sub must be/);
    for (const sub of ['alice#x', 'a/b', 'a b', 'ünï', 'a\nb'])
      await expect(verify(await signToken(secret, { sub }))).rejects.toThrow(/sub must be/);
    for (const sub of ['a'.repeat(255), 'auth0|5f7c8ec7c33c6c004bbafe82', 'user@example.com', 'a-b_c.d'])
      expect((await verify(await signToken(secret, { sub }))).userId).toBe(sub);
  });

  it('refuses the none algorithm', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory' })).toString('base64url');
    await expect(verify(`${header}.${payload}.`)).rejects.toThrow(TokenError);
  });

  it('recognises admins by role or group', () => {
    expect(isAdminClaims({ role: 'admin' })).toBe(true);
    expect(isAdminClaims({ groups: ['ops', 'admin'] })).toBe(true);
    expect(isAdminClaims({ 'cognito:groups': ['admin'] })).toBe(true);
    expect(isAdminClaims({ role: 'user', groups: ['ops'] })).toBe(false);
  });

  it('reads bearer tokens from the Authorization header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
