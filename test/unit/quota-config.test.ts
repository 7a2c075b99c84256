import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/wiring/env.ts';
import { userQuotas } from '../../functions/wiring/quotas.ts';
import { userQuotaDefaults } from '../../infra/limits.ts';

describe('userQuotas', () => {
  it('defaults to infra/limits.ts and nothing reserved', () => {
    expect(userQuotas({})).toEqual(userQuotaDefaults);
    expect(userQuotaDefaults.maxUserPriority).toBe(10);
  });

  it('reads each override from the environment and refuses nonsense', () => {
    expect(userQuotas({ QUOTA_MAX_UNFINISHED_JOBS: '5', QUOTA_MAX_USER_PRIORITY: '8' })).toMatchObject({
      maxUnfinishedJobs: 5,
      maxUserPriority: 8,
    });
    expect(() => userQuotas({ QUOTA_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => userQuotas({ QUOTA_MAX_USER_PRIORITY: '11' })).toThrow(ConfigError);
  });
});
