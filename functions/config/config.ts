/** The environment each kind of function needs, read once. Names match what the CDK constructs set. */

import { runtimeSettings } from '../../infra/function-settings.ts';
import { tierDefaults } from '../../infra/resources.ts';
import type { AuthConfig } from '../adapters/auth/jwt-verifier.ts';
import type { QueueUrls } from '../adapters/sqs/dispatcher.ts';
import { TIERS, type Tier } from '../core/tiers.ts';
import { ConfigError, intEnv, optionalEnv, requireEnv } from './env.ts';

export const ENV = {
  jobsTable: 'JOBS_TABLE',
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
  jwtSecret: 'JWT_SECRET',
  jwksUrl: 'JWT_JWKS_URL',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  heartbeatSeconds: 'HEARTBEAT_SECONDS',
  staleAfterSeconds: 'STALE_AFTER_SECONDS',
  progressIntervalMs: 'PROGRESS_INTERVAL_MS',
} as const;

export const jobsTableName = (env = process.env) => requireEnv(ENV.jobsTable, env);
export const retentionDays = (env = process.env) => intEnv(ENV.retentionDays, 30, env);

const urlsFrom = (names: Record<Tier, string>, env: NodeJS.ProcessEnv): QueueUrls =>
  Object.fromEntries(TIERS.map((tier) => [tier, requireEnv(names[tier], env)])) as QueueUrls;

export const queueUrls = (env = process.env): QueueUrls => urlsFrom(ENV.queueUrl, env);
export const deadLetterQueueUrls = (env = process.env): QueueUrls => urlsFrom(ENV.deadLetterQueueUrl, env);

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

export function authConfig(env = process.env): AuthConfig {
  const mode = optionalEnv(ENV.authMode, env) ?? 'hs256';
  const issuer = optionalEnv(ENV.jwtIssuer, env);
  const audience = optionalEnv(ENV.jwtAudience, env);
  if (mode === 'hs256') return { mode, secret: requireEnv(ENV.jwtSecret, env), issuer, audience };
  if (mode === 'jwks') return { mode, jwksUrl: requireEnv(ENV.jwksUrl, env), issuer, audience };
  throw new ConfigError(`${ENV.authMode} must be hs256 or jwks, got "${mode}"`);
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
