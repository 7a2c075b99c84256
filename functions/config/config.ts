/** The environment each kind of function needs, read once. Names match what the CDK constructs set. */
import type { AuthConfig } from '../adapters/auth/jwt-verifier.ts';
import type { QueueUrls } from '../adapters/sqs/dispatcher.ts';
import { ConfigError, intEnv, optionalEnv, requireEnv } from './env.ts';

export const ENV = {
  jobsTable: 'JOBS_TABLE',
  queueUrl: {
    critical: 'QUEUE_URL_CRITICAL',
    high: 'QUEUE_URL_HIGH',
    normal: 'QUEUE_URL_NORMAL',
    low: 'QUEUE_URL_LOW',
  },
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

export function queueUrls(env = process.env): QueueUrls {
  return {
    critical: requireEnv(ENV.queueUrl.critical, env),
    high: requireEnv(ENV.queueUrl.high, env),
    normal: requireEnv(ENV.queueUrl.normal, env),
    low: requireEnv(ENV.queueUrl.low, env),
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
  const heartbeatMs = intEnv(ENV.heartbeatSeconds, 20, env) * 1000;
  return {
    heartbeatMs,
    staleAfterMs: intEnv(ENV.staleAfterSeconds, Math.max(120, (6 * heartbeatMs) / 1000), env) * 1000,
    progressIntervalMs: intEnv(ENV.progressIntervalMs, 1000, env),
  };
}
