/**
 * The stack's properties, their defaults and their validation. Everything a deployment may tune is here;
 * conflicting or out-of-range values are rejected at synth time, before anything reaches CloudFormation.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { TIERS, type Tier } from '../functions/core/tiers.ts';
import { jwksClaimsProblem } from '../functions/wiring/auth-config.ts';
import { type AlarmSettings, type ResolvedAlarmSettings, resolveAlarmSettings } from './alarm-settings.ts';
import {
  type DashboardSettings,
  dashboardSignInProblem,
  type ResolvedDashboardSettings,
  resolveDashboardSettings,
} from './dashboard-settings.ts';
import {
  AUTHORIZER_CACHE_SECONDS,
  type Throttle,
  type ThrottleName,
  throttleDefaults,
  type UserQuotas,
  userQuotaDefaults,
} from './limits.ts';
import {
  type ObservabilitySettings,
  type ResolvedObservabilitySettings,
  resolveObservabilitySettings,
} from './observability-settings.ts';
import { queueDefaults, tierDefaults } from './resources.ts';
import { SettingsError } from './settings-error.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the HS256 signing secret comes from (see the README's Deploy section for the trade-offs). */
export type Hs256Secret =
  /** A random secret the stack creates in Secrets Manager (the default). */
  | { source: 'generated' }
  /** An existing Secrets Manager secret (name or ARN) holding the secret as its whole SecretString. */
  | { source: 'secretsManager'; secretId: string }
  /** The secret itself. It ends up in the template and cdk.out: only for throw-away stages. */
  | { source: 'plaintext'; value: string };

interface CommonAuthSettings {
  issuer?: string;
  audience?: string;
  /** Longest accepted token lifetime in seconds (JWT_MAX_LIFETIME_SECONDS; default 24 h). */
  maxTokenLifetimeSeconds?: number;
}

export type AuthSettings =
  | (CommonAuthSettings & { mode: 'hs256'; secret: Hs256Secret })
  | (CommonAuthSettings & {
      mode: 'jwks';
      jwksUrl: string;
      /** Cognito: the app client id and the token type accepted, instead of an audience. */
      cognitoClientId?: string;
      tokenUse?: 'access' | 'id';
      /** Waives the required issuer and audience: tokens of any client of the provider are accepted. */
      acceptAnyIssuerAndAudience?: boolean;
    });

export interface JobQueueSettings {
  /** Short name of the deployment (dev, staging, prod); part of the stack name and of SERVICE_NAME. */
  stage: string;
  /** What happens to the tables, DLQ messages and log groups when the stack is deleted. */
  removalPolicy?: 'retain' | 'destroy';
  /** DynamoDB deletion protection; defaults to on whenever the removal policy is `retain`. */
  deletionProtection?: boolean;
  /** Lambda MaximumConcurrency of each tier's event source (2-1000). */
  tierConcurrency?: Partial<Record<Tier, number>>;
  /** Receives before SQS moves a message to the tier's DLQ (1-1000). */
  maxReceiveCount?: number;
  /** Days a finished job is kept before its TTL expires (RETENTION_DAYS). */
  retentionDays?: number;
  /** CloudWatch Logs retention of every function and access log, in days (a value CloudWatch accepts). */
  logRetentionDays?: number;
  logLevel?: LogLevel;
  /** Origins allowed by the HTTP API's CORS configuration; empty: no CORS. */
  corsOrigins?: string[];
  auth?: AuthSettings;
  /** Access logs for the WebSocket stage (they need the account's API Gateway CloudWatch role). */
  webSocketAccessLogs?: boolean;
  /** Create the account-level API Gateway CloudWatch role (needed once per account and region). */
  apiGatewayCloudWatchRole?: boolean;
  /** API Gateway throttling per stage and for expensive routes (infra/limits.ts has the defaults). */
  throttling?: Partial<Record<ThrottleName, Partial<Throttle>>>;
  /** Seconds the HTTP authorizer's verdict for one Authorization header is cached (0-3600, default 300). */
  authorizerCacheSeconds?: number;
  /**
   * Reserve Lambda concurrency for the worker and the stream consumers (default true).
   * Needs an account concurrency quota of at least the reservations + 100; turn off on new accounts whose
   * quota is lower (see the README).
   */
  reserveConcurrency?: boolean;
  /** Per-user quotas and the admin-reserved priorities (infra/limits.ts userQuotaDefaults). */
  quotas?: Partial<UserQuotas>;
  /** The deployed dashboard's sign-in (infra/dashboard-settings.ts). */
  dashboard?: DashboardSettings;
  /** Alarm thresholds and the e-mail they go to (infra/alarm-settings.ts). */
  alarms?: AlarmSettings;
  /** Alarms and operations dashboard on or off, and the job types with metric series (observability-settings.ts). */
  observability?: ObservabilitySettings;
}

export interface ResolvedSettings {
  stage: string;
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
  tierConcurrency: Record<Tier, number>;
  maxReceiveCount: number;
  retentionDays: number;
  logRetention: RetentionDays;
  logLevel: LogLevel;
  corsOrigins: string[];
  auth: AuthSettings;
  webSocketAccessLogs: boolean;
  apiGatewayCloudWatchRole: boolean;
  throttling: Record<ThrottleName, Throttle>;
  authorizerCacheSeconds: number;
  reserveConcurrency: boolean;
  quotas: UserQuotas;
  dashboard: ResolvedDashboardSettings;
  alarms: ResolvedAlarmSettings;
  observability: ResolvedObservabilitySettings;
}

/** Stages that are torn down freely; every other stage keeps its data by default. */
const DISPOSABLE_STAGE = /^(dev|test|ci|local|sandbox|pr)([-_].*|\d*)$/;
const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

export { SettingsError };

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new SettingsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

export const isDisposableStage = (stage: string): boolean => DISPOSABLE_STAGE.test(stage);

export function resolveSettings(settings: JobQueueSettings): ResolvedSettings {
  const { stage } = settings;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage))
    throw new SettingsError(`stage must be 1-20 lowercase letters, digits or dashes, got "${stage}"`);
  const removal = settings.removalPolicy ?? (isDisposableStage(stage) ? 'destroy' : 'retain');
  if (removal !== 'retain' && removal !== 'destroy')
    throw new SettingsError(`removalPolicy must be retain or destroy, got "${removal}"`);
  const deletionProtection = settings.deletionProtection ?? removal === 'retain';
  if (deletionProtection && removal === 'destroy')
    throw new SettingsError(
      'deletionProtection cannot be on with removalPolicy destroy: the delete would fail',
    );

  const tierConcurrency = Object.fromEntries(
    TIERS.map((tier) => [
      tier,
      integerIn(
        `tierConcurrency.${tier}`,
        settings.tierConcurrency?.[tier] ?? tierDefaults[tier].maxConcurrency,
        2,
        1000,
      ),
    ]),
  ) as Record<Tier, number>;

  const logRetentionDays = settings.logRetentionDays ?? (isDisposableStage(stage) ? 7 : 30);
  if (!Object.values(RetentionDays).includes(logRetentionDays))
    throw new SettingsError(
      `logRetentionDays must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ...), got ${logRetentionDays}`,
    );

  const logLevel = settings.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new SettingsError(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const corsOrigins = settings.corsOrigins ?? [];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))
      throw new SettingsError(`corsOrigins entries must be * or scheme://host[:port], got "${origin}"`);
  }

  const auth = settings.auth ?? { mode: 'hs256', secret: { source: 'generated' } };
  if (auth.mode === 'jwks' && !/^https:\/\//.test(auth.jwksUrl))
    throw new SettingsError(`auth.jwksUrl must be an https URL, got "${auth.jwksUrl}"`);
  if (auth.mode === 'hs256' && auth.secret.source === 'plaintext' && auth.secret.value.length < 32)
    throw new SettingsError('a plaintext HS256 secret must be at least 32 characters');
  if (auth.mode === 'jwks') {
    const problem = jwksClaimsProblem({
      issuer: auth.issuer,
      audience: auth.audience,
      cognito: { clientId: auth.cognitoClientId, tokenUse: auth.tokenUse },
      acceptAnyIssuerAndAudience: auth.acceptAnyIssuerAndAudience,
    });
    if (problem)
      throw new SettingsError(
        `${problem}: set jwtIssuer and jwtAudience (or jwtCognitoClientId and jwtTokenUse), or waive it with jwtAcceptAnyIssuerAndAudience=true`,
      );
  }
  if (auth.maxTokenLifetimeSeconds !== undefined)
    integerIn('auth.maxTokenLifetimeSeconds', auth.maxTokenLifetimeSeconds, 60, 7 * 24 * 60 * 60);

  const dashboard = resolveDashboardSettings(settings.dashboard);
  const signInProblem = dashboard.oidc && dashboardSignInProblem(dashboard.oidc, auth);
  if (signInProblem) throw new SettingsError(signInProblem);

  const webSocketAccessLogs = settings.webSocketAccessLogs ?? true;
  return {
    stage,
    removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection,
    tierConcurrency,
    maxReceiveCount: integerIn(
      'maxReceiveCount',
      settings.maxReceiveCount ?? queueDefaults.maxReceiveCount,
      1,
      1000,
    ),
    retentionDays: integerIn('retentionDays', settings.retentionDays ?? 30, 1, 3650),
    logRetention: logRetentionDays as RetentionDays,
    logLevel,
    corsOrigins,
    auth,
    webSocketAccessLogs,
    apiGatewayCloudWatchRole: settings.apiGatewayCloudWatchRole ?? webSocketAccessLogs,
    throttling: resolveThrottling(settings.throttling),
    authorizerCacheSeconds: integerIn(
      'authorizerCacheSeconds',
      settings.authorizerCacheSeconds ?? AUTHORIZER_CACHE_SECONDS,
      0,
      3600,
    ),
    reserveConcurrency: settings.reserveConcurrency ?? true,
    quotas: resolveQuotas(settings.quotas),
    dashboard,
    alarms: resolveAlarmSettings(settings.alarms),
    observability: resolveObservabilitySettings(settings.observability),
  };
}

const QUOTA_RANGES: Record<keyof UserQuotas, [number, number]> = {
  maxUnfinishedJobs: [1, 10_000_000],
  maxConnections: [1, 10_000],
  maxSubscriptionsPerConnection: [1, 100_000],
  maxUserPriority: [1, 10],
};

function resolveQuotas(overrides: Partial<UserQuotas> = {}): UserQuotas {
  for (const name of Object.keys(overrides))
    if (!(name in userQuotaDefaults))
      throw new SettingsError(`quotas.${name} is not a quota (${Object.keys(userQuotaDefaults).join(', ')})`);
  const names = Object.keys(userQuotaDefaults) as (keyof UserQuotas)[];
  return Object.fromEntries(
    names.map((name) => [
      name,
      integerIn(`quotas.${name}`, overrides[name] ?? userQuotaDefaults[name], ...QUOTA_RANGES[name]),
    ]),
  ) as unknown as UserQuotas;
}

/** API Gateway's account-level ceilings: 10,000 requests per second, bursts of 5,000. */
function resolveThrottling(overrides: JobQueueSettings['throttling'] = {}): Record<ThrottleName, Throttle> {
  const names = Object.keys(throttleDefaults) as ThrottleName[];
  for (const name of Object.keys(overrides))
    if (!names.includes(name as ThrottleName))
      throw new SettingsError(`throttling.${name} is not one of ${names.join(', ')}`);
  return Object.fromEntries(
    names.map((name) => {
      const rate = overrides[name]?.rate ?? throttleDefaults[name].rate;
      const burst = overrides[name]?.burst ?? throttleDefaults[name].burst;
      return [
        name,
        {
          rate: integerIn(`throttling.${name}.rate`, rate, 1, 10_000),
          burst: integerIn(`throttling.${name}.burst`, burst, 1, 5_000),
        },
      ];
    }),
  ) as Record<ThrottleName, Throttle>;
}
