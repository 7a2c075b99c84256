/**
 * What the CloudWatch alarms watch for and whom they tell (infra/constructs/alarms.ts). Every threshold has a
 * default sized for this queue; context keys override them (infra/context.ts).
 */
import { TIERS, type Tier } from '../functions/core/tiers.ts';
import { SettingsError } from './settings-error.ts';

export interface AlarmSettings {
  /** An e-mail address subscribed to the alarm topic; without it no SNS topic is created. */
  email?: string;
  /**
   * Seconds the oldest message of a tier may wait before its alarm fires. A retried job's message keeps its
   * age while it waits out its backoff (up to an hour per retry), so these sit above the longest backoff a
   * tier normally sees; SQS stops counting a message after its third receive.
   */
  oldestMessageSeconds?: Partial<Record<Tier, number>>;
  /** Seconds a stream consumer may lag behind the jobs table's stream (its IteratorAge). */
  iteratorAgeSeconds?: number;
  /** HTTP API 5xx responses in five minutes that fire the API alarm. */
  api5xxPerFiveMinutes?: number;
  /** Jobs recovered from a lost worker (all tiers) in five minutes that fire the stale-recovery alarm. */
  staleRecoveriesPerFiveMinutes?: number;
}

export interface ResolvedAlarmSettings {
  email?: string;
  oldestMessageSeconds: Record<Tier, number>;
  iteratorAgeSeconds: number;
  api5xxPerFiveMinutes: number;
  staleRecoveriesPerFiveMinutes: number;
}

export const alarmDefaults: Omit<ResolvedAlarmSettings, 'email'> = {
  oldestMessageSeconds: { critical: 15 * 60, high: 30 * 60, normal: 60 * 60, low: 3 * 60 * 60 },
  iteratorAgeSeconds: 60,
  api5xxPerFiveMinutes: 5,
  // One worker dying takes its batch's jobs with it (up to the tier's batch size); more within five minutes
  // is a crash loop, an out-of-memory agent or a timeout set too short.
  staleRecoveriesPerFiveMinutes: 10,
};

/** SQS keeps a message at most 14 days: an age threshold above that could never be reached. */
const MAX_AGE_SECONDS = 14 * 24 * 60 * 60;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new SettingsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

export function resolveAlarmSettings(settings: AlarmSettings = {}): ResolvedAlarmSettings {
  if (settings.email !== undefined && !EMAIL.test(settings.email))
    throw new SettingsError(`alarmEmail must be an e-mail address, got "${settings.email}"`);
  const oldestMessageSeconds = Object.fromEntries(
    TIERS.map((tier) => [
      tier,
      whole(
        `alarms.oldestMessageSeconds.${tier}`,
        settings.oldestMessageSeconds?.[tier] ?? alarmDefaults.oldestMessageSeconds[tier],
        60,
        MAX_AGE_SECONDS,
      ),
    ]),
  ) as Record<Tier, number>;
  return {
    ...(settings.email !== undefined && { email: settings.email }),
    oldestMessageSeconds,
    iteratorAgeSeconds: whole(
      'alarms.iteratorAgeSeconds',
      settings.iteratorAgeSeconds ?? alarmDefaults.iteratorAgeSeconds,
      1,
      7 * 24 * 60 * 60,
    ),
    api5xxPerFiveMinutes: whole(
      'alarms.api5xxPerFiveMinutes',
      settings.api5xxPerFiveMinutes ?? alarmDefaults.api5xxPerFiveMinutes,
      1,
      1_000_000,
    ),
    staleRecoveriesPerFiveMinutes: whole(
      'alarms.staleRecoveriesPerFiveMinutes',
      settings.staleRecoveriesPerFiveMinutes ?? alarmDefaults.staleRecoveriesPerFiveMinutes,
      1,
      1_000_000,
    ),
  };
}
