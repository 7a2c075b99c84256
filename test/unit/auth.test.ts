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

describe('JWT verification', () => {
  it('accepts a token it signed and reads the user', async () => {
    expect(await verify(await signToken(secret, { sub: 'alice' }))).toEqual({
      userId: 'alice',
      isAdmin: false,
    });
    expect(await verify(await signToken(secret, { sub: 'root', admin: true }))).toEqual({
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
      .sign(new TextEncoder().encode(secret));
    await expect(verify(noSub)).rejects.toThrow('the token has no sub');
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
