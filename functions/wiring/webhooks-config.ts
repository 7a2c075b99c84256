/**
 * The webhook functions' environment, read once at load (names shared with the CDK construct through
 * infra/env-names.ts). Deployed, secrets are sealed with KMS (`WEBHOOK_KMS_KEY_ID`); locally with
 * AES-256-GCM under `WEBHOOK_SEALING_SECRET` (the local stack keeps it under .local/).
 */
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from '../core/webhooks/retry-schedule.ts';
import { ConfigError, intEnv, optionalEnv, requireEnv } from './env.ts';

export const WEBHOOK_ENV = {
  queueUrl: 'WEBHOOK_QUEUE_URL',
  deadLetterQueueUrl: 'WEBHOOK_DLQ_URL',
  kmsKeyId: 'WEBHOOK_KMS_KEY_ID',
  /** Locally only: the key material for AES-GCM sealing. */
  sealingSecret: 'WEBHOOK_SEALING_SECRET',
  /** `true` locally: http and private/loopback targets (http://127.0.0.1) are allowed. Never set deployed. */
  allowLocalTargets: 'WEBHOOK_ALLOW_LOCAL_TARGETS',
  /** The first retry delay in seconds (default 10; doubling after each failure). Tests set 1. */
  retryFirstDelaySeconds: 'WEBHOOK_RETRY_FIRST_DELAY_SECONDS',
  /** The UUID of the delivery queue's event source mapping (on only while some webhook exists). */
  eventSourceMapping: 'WEBHOOK_EVENT_SOURCE_MAPPING',
} as const;

export const webhookQueueUrl = (env = process.env) => requireEnv(WEBHOOK_ENV.queueUrl, env);
export const webhookDeadLetterQueueUrl = (env = process.env) =>
  requireEnv(WEBHOOK_ENV.deadLetterQueueUrl, env);

export const webhookEventSourceMapping = (env = process.env) =>
  requireEnv(WEBHOOK_ENV.eventSourceMapping, env);

export function allowLocalTargets(env = process.env): boolean {
  const raw = optionalEnv(WEBHOOK_ENV.allowLocalTargets, env);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`${WEBHOOK_ENV.allowLocalTargets} must be true or false, got "${raw}"`);
}

export function retrySchedule(env = process.env): RetrySchedule {
  const first = intEnv(WEBHOOK_ENV.retryFirstDelaySeconds, DEFAULT_RETRY_SCHEDULE.firstDelaySeconds, env);
  if (first < 1 || first > 30)
    throw new ConfigError(
      `${WEBHOOK_ENV.retryFirstDelaySeconds} must be 1 to 30 (the first retry comes within 30 s)`,
    );
  return { ...DEFAULT_RETRY_SCHEDULE, firstDelaySeconds: first };
}

/** Which sealer: KMS when a key is named, else the local AES key; neither is a ConfigError. */
export function sealingConfig(env = process.env): { kmsKeyId: string } | { localSecret: string } {
  const kmsKeyId = optionalEnv(WEBHOOK_ENV.kmsKeyId, env);
  if (kmsKeyId) return { kmsKeyId };
  const localSecret = optionalEnv(WEBHOOK_ENV.sealingSecret, env);
  if (localSecret) return { localSecret };
  throw new ConfigError(
    `environment variable ${WEBHOOK_ENV.kmsKeyId} (or ${WEBHOOK_ENV.sealingSecret} locally) is required`,
  );
}
