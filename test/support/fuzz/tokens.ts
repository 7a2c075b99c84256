/**
 * Hostile bearer tokens: malformed, unsigned (`alg: none`), the wrong algorithm or key, expired, not yet valid,
 * without `exp`, with huge or odd `sub` values and every spelling of admin claims. Tokens are forged by hand
 * (HMAC over base64url parts) so any header and claims can be signed. Each carries what the contract says
 * must happen to it.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { FuzzCase } from './fuzz-case.ts';

const b64url = (value: string) => Buffer.from(value, 'utf8').toString('base64url');

export function forgeJwt(header: object, claims: object, key: string | null, alg = 'sha256'): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = key === null ? '' : createHmac(alg, key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

const oddSubs = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.integer({ min: 256, max: 20_000 }).map((n) => 's'.repeat(n)),
  fc.constantFrom('__proto__', 'constructor', 'fuzz#x', 'fuzz', 'U#fuzz', 'a/b', ' ', '\u0000', 'ÅŁ𝔘'),
);

type Claims = Record<string, unknown>;
interface TokenSpec {
  label: string;
  header: Claims;
  claims: Claims;
  key: 'right' | 'wrong' | 'none';
  hmac: 'sha256' | 'sha512';
}

/** Admin by the contract: `role` is "admin" or a `groups`/`cognito:groups` array contains "admin". */
export function isAdminByContract(claims: Claims): boolean {
  if (claims.role === 'admin') return true;
  return ['groups', 'cognito:groups'].some((name) => {
    const value = claims[name];
    return Array.isArray(value) && value.includes('admin');
  });
}

const adminClaims = fc.constantFrom<Claims>(
  {},
  { role: 'admin' },
  { role: 'Admin' },
  { role: ['admin'] },
  { groups: ['admin'] },
  { groups: 'admin' },
  { 'cognito:groups': ['users', 'admin'] },
  { 'cognito:groups': 'admin' },
  { admin: true },
  { isAdmin: true },
  { role: 'user', groups: [] },
);

export function tokenCases(secret: string): fc.Arbitrary<FuzzCase> {
  const now = Math.floor(Date.now() / 1000);
  const validTimes = { iat: now, exp: now + 3600 };
  const spec: fc.Arbitrary<TokenSpec> = fc
    .record({
      sub: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('fuzz-token-user', 'fuzz-user') },
        { weight: 2, arbitrary: oddSubs },
        fc.constantFrom<unknown>(undefined, '', 42, null, ['a'], { id: 'x' }),
      ),
      times: fc.oneof(
        { weight: 3, arbitrary: fc.constant<Claims>(validTimes) },
        fc.constantFrom<Claims>(
          { iat: now - 7200, exp: now - 3600 },
          { iat: now },
          {},
          { iat: now, exp: now + 3600, nbf: now + 3600 },
          { iat: now, exp: String(now + 3600) },
          { iat: now, exp: null },
        ),
      ),
      admin: adminClaims,
      alg: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constant({ header: { alg: 'HS256', typ: 'JWT' }, hmac: 'sha256' as const }),
        },
        fc.constantFrom(
          { header: { alg: 'none' }, hmac: 'sha256' as const },
          { header: { alg: 'HS512' }, hmac: 'sha512' as const },
          { header: { alg: 'RS256' }, hmac: 'sha256' as const },
          { header: { alg: 'hs256' }, hmac: 'sha256' as const },
          { header: { alg: 'HS256', crit: ['x'] }, hmac: 'sha256' as const },
          { header: { alg: 'HS256', kid: '../../etc/passwd' }, hmac: 'sha256' as const },
        ),
      ),
      key: fc.oneof(
        { weight: 4, arbitrary: fc.constant('right' as const) },
        fc.constantFrom('wrong' as const, 'none' as const),
      ),
    })
    .map(({ sub, times, admin, alg, key }) => {
      const claims: Claims = { ...(sub !== undefined && { sub }), ...times, ...admin };
      const keyUsed = alg.header.alg === 'none' ? 'none' : key;
      const label = `alg=${JSON.stringify(alg.header)} key=${keyUsed} claims=${JSON.stringify(claims)}`;
      return { label, header: alg.header, claims, key: keyUsed, hmac: alg.hmac };
    });

  const signed = fc
    .tuple(spec, fc.constantFrom('GET /jobs', 'GET /jobs/count', 'GET /admin/dead', 'POST /admin/recover'))
    .map(([token, route]): FuzzCase => {
      const key = token.key === 'right' ? secret : token.key === 'wrong' ? `${secret}-not` : null;
      const jwt = forgeJwt(token.header, token.claims, key, token.hmac);
      const [method = 'GET', target = '/'] = route.split(' ');
      return {
        label: `${route} token ${token.label}`,
        method,
        target,
        caller: { authorization: `Bearer ${jwt}` },
        sub: token.claims.sub,
        // A header over API Gateway's 10,240-byte limit meets the gateway's own refusal first: generic checks only.
        ...(jwt.length < 10_000 && { expectStatus: expectedStatuses(token, target.startsWith('/admin')) }),
      };
    });

  const malformed = fc
    .oneof(
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        'Bearer a.b.c',
        'Bearer ...',
        'Bearer e30.e30.',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((text) => `Bearer ${text}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
      fc.integer({ min: 1_000, max: 40_000 }).map((n) => `Bearer ${'A'.repeat(n)}`),
      fc.integer({ min: 3, max: 500 }).map((n) => `Bearer ${'e30.'.repeat(n)}`),
    )
    .map(
      (authorization): FuzzCase => ({
        label: `GET /jobs authorization ${authorization}`,
        method: 'GET',
        target: '/jobs',
        caller: { authorization },
        expectStatus: [401, 403, 400, 413, 431],
      }),
    );
  return fc.oneof({ weight: 4, arbitrary: signed }, malformed);
}

/**
 * A token is valid only when HS256-signed with the right key, `exp` a number in the future, no future `nbf`
 * and `sub` a non-empty string; the verifier may also refuse a `sub` it finds too long or odd (401).
 */
function expectedStatuses(token: TokenSpec, adminRoute: boolean): readonly number[] {
  const { claims } = token;
  const valid =
    token.key === 'right' &&
    token.header.alg === 'HS256' &&
    token.header.crit === undefined &&
    typeof claims.exp === 'number' &&
    claims.exp > Date.now() / 1000 &&
    claims.nbf === undefined &&
    typeof claims.sub === 'string' &&
    claims.sub.length > 0;
  if (!valid) return [401, 403];
  const plainSub = /^fuzz(-token)?-user$/.test(claims.sub as string);
  const granted = adminRoute && !isAdminByContract(claims) ? [403] : [200];
  return plainSub ? granted : [...granted, 401];
}
