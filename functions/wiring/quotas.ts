/**
 * Per-user quotas, read once: the defaults of infra/limits.ts (the one definition the CDK and the local
 * stack share) unless the deployment sets QUOTA_* (see the README's Security section).
 */
import { type UserQuotas, userQuotaDefaults } from '../../infra/limits.ts';
import { ConfigError, intEnv } from './env.ts';

export const QUOTA_ENV = {
  maxUnfinishedJobs: 'QUOTA_MAX_UNFINISHED_JOBS',
  maxConnections: 'QUOTA_MAX_CONNECTIONS',
  maxSubscriptionsPerConnection: 'QUOTA_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  maxUserPriority: 'QUOTA_MAX_USER_PRIORITY',
} as const satisfies Record<keyof UserQuotas, string>;

export function userQuotas(env: NodeJS.ProcessEnv = process.env): UserQuotas {
  const quotas = Object.fromEntries(
    (Object.keys(QUOTA_ENV) as (keyof UserQuotas)[]).map((name) => [
      name,
      intEnv(QUOTA_ENV[name], userQuotaDefaults[name], env),
    ]),
  ) as unknown as UserQuotas;
  for (const name of ['maxUnfinishedJobs', 'maxConnections', 'maxSubscriptionsPerConnection'] as const)
    if (quotas[name] < 1) throw new ConfigError(`${QUOTA_ENV[name]} must be at least 1`);
  if (quotas.maxUserPriority < 1 || quotas.maxUserPriority > 10)
    throw new ConfigError(`${QUOTA_ENV.maxUserPriority} must be from 1 to 10`);
  return quotas;
}

/** QUOTA_* for every quota: the shared defaults unless overridden (what the local stack and the CDK set). */
export function quotaEnvironment(overrides: Partial<UserQuotas> = {}): Record<string, string> {
  const quotas = { ...userQuotaDefaults, ...overrides };
  return Object.fromEntries(
    (Object.keys(QUOTA_ENV) as (keyof UserQuotas)[]).map((name) => [QUOTA_ENV[name], String(quotas[name])]),
  );
}
