/**
 * Verifies bearer JWTs with `jose`: HS256 with a shared secret (the local runtime, simple deployments) or
 * RS256 against a JWKS URL (Cognito or any OIDC provider). `sub` is the user; admins have `role: admin` or an
 * `admin` entry in `groups` / `cognito:groups`. Every token must carry `exp`, live no longer than the
 * configured maximum, and name a `sub` of at most 255 safe characters; anything else is a TokenError (401).
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

export interface Principal {
  userId: string;
  isAdmin: boolean;
  /** Epoch seconds at which the token expires (its `exp`); connections opened with it close then. */
  tokenExpiresAt?: number;
}

/** Cognito's own claims instead of `aud`: access tokens carry `client_id`, id tokens `aud`. */
export interface CognitoClaims {
  clientId: string;
  tokenUse: 'access' | 'id';
}

interface CommonAuthConfig {
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Longest accepted token lifetime in seconds (`exp - iat`, and `exp - now`); default 24 hours. */
  maxLifetimeSeconds?: number | undefined;
}

export type AuthConfig =
  | (CommonAuthConfig & { mode: 'hs256'; secret: string })
  | (CommonAuthConfig & { mode: 'jwks'; jwksUrl: string; cognito?: CognitoClaims | undefined });

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** The lifetime of tokens the local signer issues when none is asked for (within the maximum). */
export const DEFAULT_LOCAL_TOKEN_LIFETIME = '12h';
/** Clock skew tolerated by the lifetime check (an expired token is refused without any). */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Users are keys of the store and parts of composite keys: bounded, and no separators such as `#` or `/`. */
export const SUB_PATTERN = /^[A-Za-z0-9._~@:|+=-]{1,255}$/;

export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export function isAdminClaims(payload: JWTPayload): boolean {
  if (payload.role === 'admin') return true;
  return ['groups', 'cognito:groups'].some((claim) => {
    const value = payload[claim];
    return Array.isArray(value) && value.includes('admin');
  });
}

export function createVerifier(config: AuthConfig): (token: string) => Promise<Principal> {
  const key: Uint8Array | JWTVerifyGetKey =
    config.mode === 'hs256'
      ? new TextEncoder().encode(config.secret)
      : createRemoteJWKSet(new URL(config.jwksUrl));
  const options = {
    algorithms: [config.mode === 'hs256' ? 'HS256' : 'RS256'],
    requiredClaims: ['exp'],
    ...(config.issuer && { issuer: config.issuer }),
    ...(config.audience && { audience: config.audience }),
  };
  const maxLifetime = config.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const cognito = config.mode === 'jwks' ? config.cognito : undefined;
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, options));
    } catch (error) {
      throw new TokenError(error instanceof Error ? error.message : 'invalid token');
    }
    const exp = payload.exp as number; // required above, and a number (jose checks both)
    checkLifetime(payload, exp, maxLifetime);
    if (cognito) checkCognitoClaims(payload, cognito);
    if (typeof payload.sub !== 'string' || payload.sub.length === 0)
      throw new TokenError('the token has no sub');
    if (!SUB_PATTERN.test(payload.sub))
      throw new TokenError('the token sub must be 1-255 letters, digits or ._~@:|+=-');
    return { userId: payload.sub, isAdmin: isAdminClaims(payload), tokenExpiresAt: exp };
  };
}

function checkLifetime(payload: JWTPayload, exp: number, maxLifetime: number): void {
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : now;
  if (exp - Math.min(issuedAt, now) > maxLifetime + CLOCK_TOLERANCE_SECONDS)
    throw new TokenError(`the token lives longer than the allowed ${maxLifetime} s`);
}

function checkCognitoClaims(payload: JWTPayload, cognito: CognitoClaims): void {
  if (payload.token_use !== cognito.tokenUse)
    throw new TokenError(`the token is not a Cognito ${cognito.tokenUse} token`);
  const client = cognito.tokenUse === 'access' ? payload.client_id : payload.aud;
  const matches = Array.isArray(client) ? client.includes(cognito.clientId) : client === cognito.clientId;
  if (!matches) throw new TokenError('the token was issued to another client');
}

/** Issues an HS256 token (the local runtime's `npm run token`, tests). */
export async function signToken(
  secret: string,
  claims: { sub: string; admin?: boolean; expiresIn?: string; issuer?: string },
): Promise<string> {
  const jwt = new SignJWT(claims.admin ? { role: 'admin' } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? DEFAULT_LOCAL_TOKEN_LIFETIME);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** `Bearer <token>` → token; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
