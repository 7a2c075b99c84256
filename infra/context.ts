/**
 * Stack settings from CDK context: `-c key=value` on the command line or `context` in cdk.json. Values from
 * the command line are strings; cdk.json may use JSON numbers, booleans and arrays.
 */
import type { Node } from 'constructs';
import { TIERS, type Tier } from '../functions/core/tiers.ts';
import {
  type Throttle,
  type ThrottleName,
  throttleDefaults,
  type UserQuotas,
  userQuotaDefaults,
} from './limits.ts';
import {
  alarmContextKeys,
  alarmsFromContext,
  dashboardContextKeys,
  dashboardFromContext,
  observabilityContextKeys,
  observabilityFromContext,
} from './observability-context.ts';
import { type AuthSettings, type JobQueueSettings, type LogLevel, SettingsError } from './settings.ts';

const throttleKeys = Object.fromEntries(
  (Object.keys(throttleDefaults) as ThrottleName[]).flatMap((name) => [
    [
      `throttle.${name}.rate`,
      `API Gateway steady requests per second for ${name} (default ${throttleDefaults[name].rate})`,
    ],
    [`throttle.${name}.burst`, `API Gateway burst for ${name} (default ${throttleDefaults[name].burst})`],
  ]),
) as Record<`throttle.${ThrottleName}.${keyof Throttle}`, string>;

const quotaKeys = Object.fromEntries(
  (Object.keys(userQuotaDefaults) as (keyof UserQuotas)[]).map((name) => [
    `quota.${name}`,
    `per-user quota ${name} (default ${userQuotaDefaults[name]}; see the README's Security section)`,
  ]),
) as Record<`quota.${keyof UserQuotas}`, string>;

/** Every context key the app reads, with what it sets. */
export const CONTEXT_KEYS = {
  stage: 'deployment name, part of the stack name (default dev)',
  removalPolicy: 'retain | destroy (default: destroy for dev/test/ci/local/sandbox/pr stages, else retain)',
  deletionProtection: 'true | false: DynamoDB deletion protection (default: on when retained)',
  maxReceiveCount: 'receives before a message is dead-lettered (default 15)',
  'concurrency.critical': 'max concurrent workers of the critical tier (default 20)',
  'concurrency.high': 'max concurrent workers of the high tier (default 10)',
  'concurrency.normal': 'max concurrent workers of the normal tier (default 5)',
  'concurrency.low': 'max concurrent workers of the low tier (default 2)',
  retentionDays: 'days a finished job is kept, RETENTION_DAYS (default 30)',
  logRetentionDays: 'CloudWatch Logs retention in days (default 7 for disposable stages, else 30)',
  logLevel: 'debug | info | warn | error (default info)',
  corsOrigins: 'comma-separated allowed origins, or * (default: no CORS)',
  authMode: 'hs256 | jwks (default hs256)',
  jwtSecretName: 'hs256: Secrets Manager secret name or ARN holding the signing secret',
  jwtSecret: 'hs256: the signing secret itself (written into the template: throw-away stages only)',
  jwksUrl: 'jwks: the JWKS URL of your identity provider (required for jwks)',
  jwtIssuer: 'expected iss claim (required for jwks)',
  jwtAudience: 'expected aud claim (jwks: required unless jwtCognitoClientId and jwtTokenUse are set)',
  jwtCognitoClientId: 'jwks with Cognito: the app client id (client_id of access tokens, aud of id tokens)',
  jwtTokenUse: 'jwks with Cognito: access | id, the only token type accepted',
  jwtAcceptAnyIssuerAndAudience:
    'true: jwks accepts tokens of any issuer and audience the key set signs (explicit waiver; default false)',
  jwtMaxLifetimeSeconds: 'longest accepted token lifetime, exp - iat (default 86400)',
  authorizerCacheSeconds:
    'seconds the HTTP authorizer verdict per Authorization header is cached (default 300)',
  reserveConcurrency:
    'true | false: reserve Lambda concurrency for workers and stream consumers (default true; needs quota)',
  ...throttleKeys,
  ...quotaKeys,
  webSocketAccessLogs: 'true | false: access logs for the WebSocket stage (default true)',
  apiGatewayCloudWatchRole:
    'true | false: create the account-level API Gateway CloudWatch role WebSocket logs need (default true)',
  ...dashboardContextKeys,
  ...alarmContextKeys,
  ...observabilityContextKeys,
} as const;

type ContextKey = keyof typeof CONTEXT_KEYS;

export function settingsFromContext(node: Pick<Node, 'tryGetContext'>): JobQueueSettings {
  const raw = (key: ContextKey): unknown => {
    const value = node.tryGetContext(key);
    return value === '' ? undefined : value;
  };
  const text = (key: ContextKey): string | undefined => {
    const value = raw(key);
    return value === undefined || value === null ? undefined : String(value);
  };
  const int = (key: ContextKey): number | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value))
      throw new SettingsError(`context ${key} must be a whole number, got "${value}"`);
    return Number(value);
  };
  const bool = (key: ContextKey): boolean | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false')
      throw new SettingsError(`context ${key} must be true or false, got "${value}"`);
    return value === 'true';
  };
  const list = (key: ContextKey): string[] | undefined => {
    const value = raw(key);
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
    return items.map((item) => item.trim()).filter(Boolean);
  };

  const tierConcurrency: Partial<Record<Tier, number>> = {};
  for (const tier of TIERS) {
    const value = int(`concurrency.${tier}`);
    if (value !== undefined) tierConcurrency[tier] = value;
  }

  const throttling: Partial<Record<ThrottleName, Partial<Throttle>>> = {};
  for (const name of Object.keys(throttleDefaults) as ThrottleName[]) {
    const rate = int(`throttle.${name}.rate`);
    const burst = int(`throttle.${name}.burst`);
    if (rate !== undefined || burst !== undefined)
      throttling[name] = { ...(rate !== undefined && { rate }), ...(burst !== undefined && { burst }) };
  }

  const quotas: Partial<UserQuotas> = {};
  for (const name of Object.keys(userQuotaDefaults) as (keyof UserQuotas)[]) {
    const value = int(`quota.${name}`);
    if (value !== undefined) quotas[name] = value;
  }

  return {
    stage: text('stage') ?? 'dev',
    removalPolicy: text('removalPolicy') as JobQueueSettings['removalPolicy'],
    deletionProtection: bool('deletionProtection'),
    tierConcurrency,
    maxReceiveCount: int('maxReceiveCount'),
    retentionDays: int('retentionDays'),
    logRetentionDays: int('logRetentionDays'),
    logLevel: text('logLevel') as LogLevel | undefined,
    corsOrigins: list('corsOrigins'),
    auth: authFromContext(text, int, bool),
    webSocketAccessLogs: bool('webSocketAccessLogs'),
    apiGatewayCloudWatchRole: bool('apiGatewayCloudWatchRole'),
    throttling,
    authorizerCacheSeconds: int('authorizerCacheSeconds'),
    reserveConcurrency: bool('reserveConcurrency'),
    quotas,
    dashboard: dashboardFromContext(text, list),
    alarms: alarmsFromContext(text, int),
    observability: observabilityFromContext(bool, list),
  };
}

function authFromContext(
  text: (key: ContextKey) => string | undefined,
  int: (key: ContextKey) => number | undefined,
  bool: (key: ContextKey) => boolean | undefined,
): AuthSettings {
  const mode = text('authMode') ?? 'hs256';
  const maxTokenLifetimeSeconds = int('jwtMaxLifetimeSeconds');
  const claims = {
    ...(text('jwtIssuer') && { issuer: text('jwtIssuer') }),
    ...(text('jwtAudience') && { audience: text('jwtAudience') }),
    ...(maxTokenLifetimeSeconds !== undefined && { maxTokenLifetimeSeconds }),
  };
  const cognitoClientId = text('jwtCognitoClientId');
  const tokenUse = text('jwtTokenUse');
  const acceptAny = bool('jwtAcceptAnyIssuerAndAudience');
  if (mode !== 'jwks' && (cognitoClientId || tokenUse || acceptAny !== undefined))
    throw new SettingsError(
      'jwtCognitoClientId, jwtTokenUse and jwtAcceptAnyIssuerAndAudience apply to jwks only',
    );
  if (tokenUse !== undefined && tokenUse !== 'access' && tokenUse !== 'id')
    throw new SettingsError(`context jwtTokenUse must be access or id, got "${tokenUse}"`);
  const secretName = text('jwtSecretName');
  const secret = text('jwtSecret');
  const jwksUrl = text('jwksUrl');
  if (mode === 'jwks') {
    if (!jwksUrl) throw new SettingsError('authMode jwks needs -c jwksUrl=https://...');
    if (secretName || secret)
      throw new SettingsError('jwtSecret/jwtSecretName do not apply to authMode jwks');
    return {
      mode,
      jwksUrl,
      ...claims,
      ...(cognitoClientId && { cognitoClientId }),
      ...(tokenUse && { tokenUse }),
      ...(acceptAny !== undefined && { acceptAnyIssuerAndAudience: acceptAny }),
    };
  }
  if (mode !== 'hs256') throw new SettingsError(`authMode must be hs256 or jwks, got "${mode}"`);
  if (jwksUrl) throw new SettingsError('jwksUrl applies to authMode jwks only');
  if (secretName && secret) throw new SettingsError('set jwtSecretName or jwtSecret, not both');
  if (secretName) return { mode, secret: { source: 'secretsManager', secretId: secretName }, ...claims };
  if (secret) return { mode, secret: { source: 'plaintext', value: secret }, ...claims };
  return { mode, secret: { source: 'generated' }, ...claims };
}
