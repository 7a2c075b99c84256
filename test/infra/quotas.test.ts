/** Per-user quotas on the synthesized template: the enforcing functions get QUOTA_*, from one definition. */
import { describe, expect, it } from 'vitest';
import { QUOTA_ENV } from '../../functions/wiring/quotas.ts';
import { settingsFromContext } from '../../infra/context.ts';
import { userQuotaDefaults } from '../../infra/limits.ts';
import { SettingsError } from '../../infra/settings.ts';
import { logicalId, synth, variablesOf } from './support/synth.ts';

const { stack, json } = synth();
const variables = (module: string) => {
  const fn = stack.httpApi.handlers.get(module);
  if (!fn) throw new Error(`no handler ${module}`);
  return variablesOf(json, logicalId(stack, fn));
};

describe('per-user quotas', () => {
  it('gives both submit handlers the default quotas, and nothing reserved', () => {
    for (const module of ['submit-job', 'submit-agent-job']) {
      expect(variables(module)).toMatchObject({
        [QUOTA_ENV.maxUnfinishedJobs]: String(userQuotaDefaults.maxUnfinishedJobs),
        [QUOTA_ENV.maxUserPriority]: '10',
      });
    }
    expect(variables('get-job')).not.toHaveProperty(QUOTA_ENV.maxUnfinishedJobs);
  });

  it('gives the WebSocket connect and message handlers the connection and subscription quotas', () => {
    for (const fn of [stack.webSocket.connectHandler, stack.webSocket.messageHandler])
      expect(variablesOf(json, logicalId(stack, fn))).toMatchObject({
        [QUOTA_ENV.maxConnections]: String(userQuotaDefaults.maxConnections),
        [QUOTA_ENV.maxSubscriptionsPerConnection]: String(userQuotaDefaults.maxSubscriptionsPerConnection),
      });
  });

  it('takes quotas from context and refuses values out of range', () => {
    const settings = settingsFromContext({
      tryGetContext: (key: string) =>
        ({ stage: 'dev', 'quota.maxUnfinishedJobs': '50', 'quota.maxUserPriority': 8 })[key],
    });
    expect(settings.quotas).toEqual({ maxUnfinishedJobs: 50, maxUserPriority: 8 });
    const custom = synth({ settings: { quotas: settings.quotas } });
    const fn = custom.stack.httpApi.handlers.get('submit-job');
    if (!fn) throw new Error('no submit handler');
    expect(variablesOf(custom.json, logicalId(custom.stack, fn))).toMatchObject({
      [QUOTA_ENV.maxUnfinishedJobs]: '50',
      [QUOTA_ENV.maxUserPriority]: '8',
      [QUOTA_ENV.maxConnections]: String(userQuotaDefaults.maxConnections),
    });
    expect(() => synth({ settings: { quotas: { maxUserPriority: 11 } } })).toThrow(SettingsError);
    expect(() => synth({ settings: { quotas: { maxJobs: 1 } as never } })).toThrow(/not a quota/);
  });
});
