/** The environment each kind of function needs, read once. Names match what the CDK constructs set. */
import { createHash } from 'node:crypto';

import { runtimeSettings } from '../../infra/function-settings.ts';
import { tierDefaults } from '../../infra/resources.ts';
import type { QueueUrls } from '../adapters/sqs/dispatcher.ts';
import { TIERS, type Tier } from '../core/tiers.ts';
import { ConfigError, intEnv, optionalEnv, requireEnv } from './env.ts';

export const ENV = {
  jobsTable: 'JOBS_TABLE',
  schedulesTable: 'SCHEDULES_TABLE',
  queueUrl: {
    critical: 'QUEUE_URL_CRITICAL',
    high: 'QUEUE_URL_HIGH',
    normal: 'QUEUE_URL_NORMAL',
    low: 'QUEUE_URL_LOW',
  },
  deadLetterQueueUrl: {
    critical: 'DLQ_URL_CRITICAL',
    high: 'DLQ_URL_HIGH',
    normal: 'DLQ_URL_NORMAL',
    low: 'DLQ_URL_LOW',
  },
  tierMaxConcurrency: 'TIER_MAX_CONCURRENCY',
  lostMessageAfterSeconds: 'LOST_MESSAGE_AFTER_SECONDS',
  deadlineUrgencySeconds: 'DEADLINE_URGENCY_SECONDS',
  retentionDays: 'RETENTION_DAYS',
  authMode: 'AUTH_MODE',
  /** Locally only: the HS256 secret itself. Deployed, JWT_SECRET_ARN names it in Secrets Manager. */
  jwtSecret: 'JWT_SECRET',
  jwtSecretArn: 'JWT_SECRET_ARN',
  jwksUrl: 'JWT_JWKS_URL',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  jwtCognitoClientId: 'JWT_COGNITO_CLIENT_ID',
  jwtTokenUse: 'JWT_TOKEN_USE',
  /** `true` waives jwks mode's required issuer and audience (a named, explicit choice). */
  jwtAcceptAnyIssuerAndAudience: 'JWT_ACCEPT_ANY_ISSUER_AND_AUDIENCE',
  jwtMaxLifetimeSeconds: 'JWT_MAX_LIFETIME_SECONDS',
  /** Locally only: the key that signs pagination cursors. Deployed, CURSOR_SECRET_ARN names it. */
  cursorSecret: 'CURSOR_SECRET',
  cursorSecretArn: 'CURSOR_SECRET_ARN',
  heartbeatSeconds: 'HEARTBEAT_SECONDS',
  staleAfterSeconds: 'STALE_AFTER_SECONDS',
  progressIntervalMs: 'PROGRESS_INTERVAL_MS',
  /** The S3 bucket of params and results too large for the job item; unset: they are refused. */
  payloadBucket: 'PAYLOAD_BUCKET',
} as const;

export const jobsTableName = (env = process.env) => requireEnv(ENV.jobsTable, env);
export const schedulesTableName = (env = process.env) => requireEnv(ENV.schedulesTable, env);
export const retentionDays = (env = process.env) => intEnv(ENV.retentionDays, 30, env);

const urlsFrom = (names: Record<Tier, string>, env: NodeJS.ProcessEnv): QueueUrls =>
  Object.fromEntries(TIERS.map((tier) => [tier, requireEnv(names[tier], env)])) as QueueUrls;

export const queueUrls = (env = process.env): QueueUrls => urlsFrom(ENV.queueUrl, env);
export const deadLetterQueueUrls = (env = process.env): QueueUrls => urlsFrom(ENV.deadLetterQueueUrl, env);

/** The 32-byte AES key for listing cursors, derived from the cursor secret (at least 16 characters). */
export function cursorKeyFrom(secret: string): Buffer {
  if (secret.length < 16) throw new ConfigError(`${ENV.cursorSecret} must be at least 16 characters`);
  return createHash('sha256').update(`cursor-key:${secret}`).digest();
}

/** Per-tier worker concurrency as deployed (JSON `{"critical": 20, ...}`); the defaults otherwise. */
export function tierMaxConcurrency(env = process.env): Record<Tier, number> {
  const raw = optionalEnv(ENV.tierMaxConcurrency, env);
  const defaults = Object.fromEntries(
    TIERS.map((tier) => [tier, tierDefaults[tier].maxConcurrency]),
  ) as Record<Tier, number>;
  if (raw === undefined) return defaults;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${ENV.tierMaxConcurrency} must be JSON, got "${raw}"`);
  }
  for (const tier of TIERS) {
    const value = (parsed as Record<string, unknown>)[tier];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1)) {
      throw new ConfigError(`${ENV.tierMaxConcurrency}.${tier} must be a positive integer`);
    }
  }
  return { ...defaults, ...(parsed as Record<Tier, number>) };
}

export function maintenanceTimings(env = process.env) {
  return {
    staleAfterMs: workerTimings(env).staleAfterMs,
    lostAfterMs: intEnv(ENV.lostMessageAfterSeconds, runtimeSettings.lostMessageAfterSeconds, env) * 1000,
    deadlineUrgencyMs: intEnv(ENV.deadlineUrgencySeconds, runtimeSettings.deadlineUrgencySeconds, env) * 1000,
  };
}

export function workerTimings(env = process.env) {
  const heartbeatMs = intEnv(ENV.heartbeatSeconds, runtimeSettings.heartbeatSeconds, env) * 1000;
  return {
    heartbeatMs,
    staleAfterMs:
      intEnv(
        ENV.staleAfterSeconds,
        Math.max(runtimeSettings.staleAfterSeconds, (6 * heartbeatMs) / 1000),
        env,
      ) * 1000,
    progressIntervalMs: intEnv(ENV.progressIntervalMs, 1000, env),
  };
}
