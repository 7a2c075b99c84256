/**
 * Verifies bearer JWTs with `jose`: HS256 with a shared secret (the local runtime, simple deployments) or
 * RS256 against a JWKS URL (Cognito or any OIDC provider). `sub` is the user; admins have `role: admin` or an
 * `admin` entry in `groups` / `cognito:groups`.
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

export interface Principal {
  userId: string;
  isAdmin: boolean;
}

export type AuthConfig =
  | { mode: 'hs256'; secret: string; issuer?: string | undefined; audience?: string | undefined }
  | { mode: 'jwks'; jwksUrl: string; issuer?: string | undefined; audience?: string | undefined };

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
    ...(config.issuer && { issuer: config.issuer }),
    ...(config.audience && { audience: config.audience }),
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, options));
    } catch (error) {
      throw new TokenError(error instanceof Error ? error.message : 'invalid token');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0)
      throw new TokenError('the token has no sub');
    return { userId: payload.sub, isAdmin: isAdminClaims(payload) };
  };
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
    .setExpirationTime(claims.expiresIn ?? '30d');
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** `Bearer <token>` → token; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
