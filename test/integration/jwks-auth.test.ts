/**
 * RS256 tokens verified against a JWKS endpoint, as with Cognito or any OIDC provider: the key set is
 * fetched over HTTP from a local server, issuer and audience are enforced.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, TokenError } from '../../functions/adapters/auth/jwt-verifier.ts';

let server: Server;
let jwksUrl: string;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = (claims: Record<string, unknown>, options: { issuer?: string; audience?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .setSubject('cognito-user')
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? 'job-queue')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

describe('JWKS verification', () => {
  it('accepts a token signed by a key of the set and reads Cognito groups', async () => {
    const verify = createVerifier({ mode: 'jwks', jwksUrl, issuer, audience: 'job-queue' });
    expect(await verify(await token({}))).toMatchObject({ userId: 'cognito-user', isAdmin: false });
    expect(await verify(await token({ 'cognito:groups': ['admin'] }))).toMatchObject({
      userId: 'cognito-user',
      isAdmin: true,
    });
  });

  it('rejects another issuer, another audience, and a token signed with another key', async () => {
    const verify = createVerifier({ mode: 'jwks', jwksUrl, issuer, audience: 'job-queue' });
    await expect(verify(await token({}, { issuer: 'https://evil.example' }))).rejects.toBeInstanceOf(
      TokenError,
    );
    await expect(verify(await token({}, { audience: 'another-app' }))).rejects.toBeInstanceOf(TokenError);
    const stranger = await generateKeyPair('RS256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setSubject('cognito-user')
      .setIssuer(issuer)
      .setAudience('job-queue')
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    await expect(verify(forged)).rejects.toBeInstanceOf(TokenError);
  });

  it('refuses HS256 tokens in JWKS mode', async () => {
    const verify = createVerifier({ mode: 'jwks', jwksUrl, issuer });
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(issuer)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-a-shared-secret!'));
    await expect(verify(hs)).rejects.toBeInstanceOf(TokenError);
  });

  it("with Cognito claims, accepts only that client's tokens of that use", async () => {
    const cognitoToken = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setSubject('cognito-user')
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const access = createVerifier({
      mode: 'jwks',
      jwksUrl,
      issuer,
      cognito: { clientId: 'our-client', tokenUse: 'access' },
    });
    expect(await access(await cognitoToken({ token_use: 'access', client_id: 'our-client' }))).toMatchObject({
      userId: 'cognito-user',
    });
    // An id token of the same client, and an access token of another client of the same pool, are refused.
    await expect(access(await cognitoToken({ token_use: 'id', aud: 'our-client' }))).rejects.toThrow(
      /not a Cognito access token/,
    );
    await expect(
      access(await cognitoToken({ token_use: 'access', client_id: 'other-client' })),
    ).rejects.toThrow(/another client/);

    const id = createVerifier({
      mode: 'jwks',
      jwksUrl,
      issuer,
      cognito: { clientId: 'our-client', tokenUse: 'id' },
    });
    expect(await id(await cognitoToken({ token_use: 'id', aud: 'our-client' }))).toMatchObject({
      userId: 'cognito-user',
    });
    await expect(id(await cognitoToken({ token_use: 'access', client_id: 'our-client' }))).rejects.toThrow(
      TokenError,
    );
  });
});
