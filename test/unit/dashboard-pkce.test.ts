/** The dashboard's PKCE helpers (dashboard/src/data/pkce.ts) against RFC 7636 and the OAuth parameters. */
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  randomToken,
  s256Challenge,
  tokenRequestBody,
} from '../../dashboard/src/data/pkce.ts';

describe('PKCE (RFC 7636, S256)', () => {
  it('derives the challenge of the RFC 7636 appendix B example', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes fresh 43-character verifiers of the unreserved alphabet', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => randomToken(32)));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses verifiers RFC 7636 does not allow', async () => {
    await expect(s256Challenge('too-short')).rejects.toThrow(/43-128/);
    await expect(s256Challenge(`${'a'.repeat(43)}+`)).rejects.toThrow(/43-128/);
  });

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('asks the authorization endpoint for a code with the S256 challenge', () => {
    const url = new URL(
      authorizeUrl('https://idp.example.com/oauth2/authorize', {
        clientId: 'dash',
        redirectUri: 'https://d1.cloudfront.net/',
        scopes: 'openid email',
        state: 'st4te',
        challenge: 'ch4llenge',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://idp.example.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'dash',
      redirect_uri: 'https://d1.cloudfront.net/',
      scope: 'openid email',
      state: 'st4te',
      code_challenge: 'ch4llenge',
      code_challenge_method: 'S256',
    });
  });

  it('trades the code with the verifier and no client secret', () => {
    const body = tokenRequestBody({
      code: 'c0de',
      redirectUri: 'https://d1.cloudfront.net/',
      clientId: 'dash',
      verifier: 'v'.repeat(43),
    });
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c0de',
      redirect_uri: 'https://d1.cloudfront.net/',
      client_id: 'dash',
      code_verifier: 'v'.repeat(43),
    });
    expect(body.has('client_secret')).toBe(false);
  });
});
