/**
 * The authorizers' token settings, read once at cold start. The HS256 secret comes through
 * functions/wiring/secret.ts (Secrets Manager when deployed), never from the function's environment on AWS.
 * jwks mode must pin the tokens to this API: an issuer and an audience (or Cognito's client id and token
 * use), unless JWT_ACCEPT_ANY_ISSUER_AND_AUDIENCE=true waives it by name; the CDK settings apply the same
 * rule at synth (infra/settings.ts).
 */
import {
  type AuthConfig,
  type CognitoClaims,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
} from '../adapters/auth/jwt-verifier.ts';
import { ENV } from './config.ts';
import { ConfigError, intEnv, optionalEnv, requireEnv } from './env.ts';
import { readSecret, type SecretFetcher, secretsManagerFetcher } from './secret.ts';

export interface JwksClaims {
  issuer?: string | undefined;
  audience?: string | undefined;
  cognito?: Partial<CognitoClaims> | undefined;
  acceptAnyIssuerAndAudience?: boolean | undefined;
}

/** What jwks mode lacks to refuse another client's tokens; undefined when it is complete (or waived). */
export function jwksClaimsProblem(claims: JwksClaims): string | undefined {
  if (claims.acceptAnyIssuerAndAudience) return undefined;
  const { cognito } = claims;
  if (cognito && (cognito.clientId || cognito.tokenUse)) {
    if (!cognito.clientId || !cognito.tokenUse) return 'Cognito claims need both a client id and a token use';
    if (cognito.tokenUse !== 'access' && cognito.tokenUse !== 'id')
      return `the Cognito token use must be access or id, got "${cognito.tokenUse}"`;
    if (claims.audience) return 'set an audience or Cognito claims, not both';
  } else if (!claims.audience) return 'jwks mode needs an audience (or Cognito client id and token use)';
  if (!claims.issuer) return 'jwks mode needs an issuer';
  return undefined;
}

const WAIVER = `${ENV.jwtAcceptAnyIssuerAndAudience}=true`;

export async function loadAuthConfig(
  env: NodeJS.ProcessEnv = process.env,
  fetchSecret: SecretFetcher = secretsManagerFetcher,
): Promise<AuthConfig> {
  const mode = optionalEnv(ENV.authMode, env) ?? 'hs256';
  const common = {
    issuer: optionalEnv(ENV.jwtIssuer, env),
    audience: optionalEnv(ENV.jwtAudience, env),
    maxLifetimeSeconds: intEnv(ENV.jwtMaxLifetimeSeconds, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, env),
  };
  if (common.maxLifetimeSeconds < 60)
    throw new ConfigError(`${ENV.jwtMaxLifetimeSeconds} must be at least 60 seconds`);
  if (mode === 'hs256') return { mode, secret: await readSecret(ENV.jwtSecret, env, fetchSecret), ...common };
  if (mode !== 'jwks') throw new ConfigError(`${ENV.authMode} must be hs256 or jwks, got "${mode}"`);

  const clientId = optionalEnv(ENV.jwtCognitoClientId, env);
  const tokenUse = optionalEnv(ENV.jwtTokenUse, env);
  const acceptAny = optionalEnv(ENV.jwtAcceptAnyIssuerAndAudience, env);
  if (acceptAny !== undefined && acceptAny !== 'true' && acceptAny !== 'false')
    throw new ConfigError(`${ENV.jwtAcceptAnyIssuerAndAudience} must be true or false, got "${acceptAny}"`);
  const problem = jwksClaimsProblem({
    ...common,
    cognito: { clientId, tokenUse: tokenUse as CognitoClaims['tokenUse'] | undefined },
    acceptAnyIssuerAndAudience: acceptAny === 'true',
  });
  if (problem)
    throw new ConfigError(
      `${problem} (${ENV.jwtIssuer}, ${ENV.jwtAudience} or ${ENV.jwtCognitoClientId} + ${ENV.jwtTokenUse}; ${WAIVER} waives it)`,
    );
  const cognito =
    clientId && tokenUse ? { clientId, tokenUse: tokenUse as CognitoClaims['tokenUse'] } : undefined;
  return { mode, jwksUrl: requireEnv(ENV.jwksUrl, env), ...common, cognito };
}
