/**
 * The authorizers' settings: the HS256 secret from Secrets Manager when an ARN is given (never from the
 * environment then), jwks mode pinned to an issuer and an audience or Cognito claims unless waived by name.
 */
import { describe, expect, it, vi } from 'vitest';
import { jwksClaimsProblem, loadAuthConfig } from '../../functions/wiring/auth-config.ts';
import { ConfigError } from '../../functions/wiring/env.ts';
import { readSecret } from '../../functions/wiring/secret.ts';

const jwks = { AUTH_MODE: 'jwks', JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' };

describe('readSecret', () => {
  it('reads the secret named by <NAME>_ARN from Secrets Manager once, and ignores a plain value then', async () => {
    const fetchSecret = vi.fn(async (id: string) => `value-of-${id}`);
    const env = { TEST_A_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:a', TEST_A_SECRET: 'plain' };
    const [first, second] = await Promise.all([
      readSecret('TEST_A_SECRET', env, fetchSecret),
      readSecret('TEST_A_SECRET', env, fetchSecret),
    ]);
    expect(first).toBe('value-of-arn:aws:secretsmanager:eu-west-1:1:secret:a');
    expect(second).toBe(first);
    expect(await readSecret('TEST_A_SECRET', env, fetchSecret)).toBe(first);
    expect(fetchSecret).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failed read', async () => {
    const fetchSecret = vi
      .fn<(id: string) => Promise<string>>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValueOnce('second try');
    const env = { TEST_B_SECRET_ARN: 'b' };
    await expect(readSecret('TEST_B_SECRET', env, fetchSecret)).rejects.toThrow('throttled');
    expect(await readSecret('TEST_B_SECRET', env, fetchSecret)).toBe('second try');
  });

  it('uses the plain variable locally, and fails without either', async () => {
    expect(await readSecret('TEST_C_SECRET', { TEST_C_SECRET: 'local' })).toBe('local');
    await expect(readSecret('TEST_C_SECRET', {})).rejects.toThrow(ConfigError);
  });
});

describe('loadAuthConfig', () => {
  it('hs256: the secret comes from Secrets Manager when JWT_SECRET_ARN is set', async () => {
    const fetchSecret = vi.fn(async () => 'from-secrets-manager-from-secrets-manager');
    const config = await loadAuthConfig({ JWT_SECRET_ARN: 'arn:jwt-config-test' }, fetchSecret);
    expect(config).toMatchObject({ mode: 'hs256', secret: 'from-secrets-manager-from-secrets-manager' });
    expect(fetchSecret).toHaveBeenCalledWith('arn:jwt-config-test');
  });

  it('reads the maximum token lifetime', async () => {
    const env = { JWT_SECRET: 's', JWT_MAX_LIFETIME_SECONDS: '3600' };
    expect(await loadAuthConfig(env)).toMatchObject({ maxLifetimeSeconds: 3600 });
    expect(await loadAuthConfig({ JWT_SECRET: 's' })).toMatchObject({ maxLifetimeSeconds: 86_400 });
    await expect(loadAuthConfig({ ...env, JWT_MAX_LIFETIME_SECONDS: '5' })).rejects.toThrow(ConfigError);
  });

  it('jwks: refuses to start without issuer and audience (or Cognito claims)', async () => {
    await expect(loadAuthConfig(jwks)).rejects.toThrow(/audience/);
    await expect(loadAuthConfig({ ...jwks, JWT_AUDIENCE: 'api' })).rejects.toThrow(/issuer/);
    await expect(loadAuthConfig({ ...jwks, JWT_ISSUER: 'https://idp.example' })).rejects.toThrow(
      /JWT_ACCEPT_ANY_ISSUER_AND_AUDIENCE=true waives it/,
    );
    await expect(
      loadAuthConfig({ ...jwks, JWT_ISSUER: 'https://idp.example', JWT_COGNITO_CLIENT_ID: 'c' }),
    ).rejects.toThrow(/both a client id and a token use/);
  });

  it('jwks: starts with issuer and audience, with Cognito claims, or with the named waiver', async () => {
    const issuer = { JWT_ISSUER: 'https://idp.example' };
    expect(await loadAuthConfig({ ...jwks, ...issuer, JWT_AUDIENCE: 'api' })).toMatchObject({
      mode: 'jwks',
      issuer: 'https://idp.example',
      audience: 'api',
    });
    expect(
      await loadAuthConfig({ ...jwks, ...issuer, JWT_COGNITO_CLIENT_ID: 'c', JWT_TOKEN_USE: 'access' }),
    ).toMatchObject({ cognito: { clientId: 'c', tokenUse: 'access' } });
    expect(await loadAuthConfig({ ...jwks, JWT_ACCEPT_ANY_ISSUER_AND_AUDIENCE: 'true' })).toMatchObject({
      mode: 'jwks',
    });
  });

  it('the rule itself (shared with the CDK settings)', () => {
    expect(jwksClaimsProblem({ issuer: 'i', audience: 'a' })).toBeUndefined();
    expect(jwksClaimsProblem({ issuer: 'i', cognito: { clientId: 'c', tokenUse: 'id' } })).toBeUndefined();
    expect(
      jwksClaimsProblem({ issuer: 'i', audience: 'a', cognito: { clientId: 'c', tokenUse: 'id' } }),
    ).toMatch(/not both/);
    expect(jwksClaimsProblem({ acceptAnyIssuerAndAudience: true })).toBeUndefined();
  });
});
