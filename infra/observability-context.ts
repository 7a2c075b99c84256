/**
 * The context keys of the deployed dashboard and of the alarms (`-c key=value`), read into their settings.
 * infra/context.ts lists them with the others and hands over its typed readers.
 */
import { TIERS, type Tier } from '../functions/core/tiers.ts';
import { type AlarmSettings, alarmDefaults } from './alarm-settings.ts';
import type { DashboardSettings } from './dashboard-settings.ts';
import type { ObservabilitySettings } from './observability-settings.ts';
import { SettingsError } from './settings-error.ts';

export const dashboardContextKeys = {
  'dashboard.oidcIssuer': 'dashboard sign-in by OIDC code + PKCE: the issuer URL (default: token paste)',
  'dashboard.oidcClientId': 'dashboard sign-in by OIDC: the public app client id (required with the issuer)',
  'dashboard.oidcScopes': 'dashboard sign-in by OIDC: space-separated scopes (default "openid")',
  'dashboard.oidcConnectOrigins':
    'dashboard sign-in by OIDC: comma-separated extra origins the browser calls (e.g. the Cognito hosted UI domain)',
} as const;

const oldestKeys = Object.fromEntries(
  TIERS.map((tier) => [
    `alarm.oldestMessageSeconds.${tier}`,
    `alarm when the ${tier} queue's oldest message is older than this (default ${alarmDefaults.oldestMessageSeconds[tier]})`,
  ]),
) as Record<`alarm.oldestMessageSeconds.${Tier}`, string>;

export const alarmContextKeys = {
  alarmEmail: 'e-mail address the alarms notify through an SNS topic (default: no topic)',
  ...oldestKeys,
  'alarm.iteratorAgeSeconds': `alarm when a stream consumer lags more than this (default ${alarmDefaults.iteratorAgeSeconds})`,
  'alarm.api5xxPerFiveMinutes': `alarm at this many HTTP API 5xx in five minutes (default ${alarmDefaults.api5xxPerFiveMinutes})`,
  'alarm.staleRecoveriesPerFiveMinutes': `alarm at this many jobs recovered from lost workers in five minutes (default ${alarmDefaults.staleRecoveriesPerFiveMinutes})`,
} as const;

export const observabilityContextKeys = {
  alarms: 'true | false: the CloudWatch alarms (default true; e.g. false for a dev stage)',
  operationsDashboard: 'true | false: the CloudWatch operations dashboard (default true)',
  'metrics.jobTypes':
    'comma-separated job types with CloudWatch metric series of their own, at most 10; others count as "other" (default: the registered agent types)',
} as const;
type ObservabilityKey = keyof typeof observabilityContextKeys;

export function observabilityFromContext(
  bool: (key: ObservabilityKey) => boolean | undefined,
  list: (key: ObservabilityKey) => string[] | undefined,
): ObservabilitySettings {
  const alarms = bool('alarms');
  const dashboard = bool('operationsDashboard');
  const metricJobTypes = list('metrics.jobTypes');
  return {
    ...(alarms !== undefined && { alarms }),
    ...(dashboard !== undefined && { dashboard }),
    ...(metricJobTypes && { metricJobTypes }),
  };
}

type DashboardKey = keyof typeof dashboardContextKeys;
type AlarmKey = keyof typeof alarmContextKeys;

export function dashboardFromContext(
  text: (key: DashboardKey) => string | undefined,
  list: (key: DashboardKey) => string[] | undefined,
): DashboardSettings {
  const issuer = text('dashboard.oidcIssuer');
  const clientId = text('dashboard.oidcClientId');
  const scopes = text('dashboard.oidcScopes');
  const connectOrigins = list('dashboard.oidcConnectOrigins');
  if (!issuer && !clientId) {
    if (scopes || connectOrigins)
      throw new SettingsError(
        'dashboard.oidcScopes and dashboard.oidcConnectOrigins need dashboard.oidcIssuer',
      );
    return {};
  }
  if (!issuer || !clientId)
    throw new SettingsError(
      'dashboard OIDC sign-in needs both dashboard.oidcIssuer and dashboard.oidcClientId',
    );
  return { oidc: { issuer, clientId, ...(scopes && { scopes }), ...(connectOrigins && { connectOrigins }) } };
}

export function alarmsFromContext(
  text: (key: AlarmKey) => string | undefined,
  int: (key: AlarmKey) => number | undefined,
): AlarmSettings {
  const oldestMessageSeconds: Partial<Record<Tier, number>> = {};
  for (const tier of TIERS) {
    const value = int(`alarm.oldestMessageSeconds.${tier}`);
    if (value !== undefined) oldestMessageSeconds[tier] = value;
  }
  const email = text('alarmEmail');
  const iteratorAgeSeconds = int('alarm.iteratorAgeSeconds');
  const api5xxPerFiveMinutes = int('alarm.api5xxPerFiveMinutes');
  const staleRecoveriesPerFiveMinutes = int('alarm.staleRecoveriesPerFiveMinutes');
  return {
    ...(email && { email }),
    oldestMessageSeconds,
    ...(iteratorAgeSeconds !== undefined && { iteratorAgeSeconds }),
    ...(api5xxPerFiveMinutes !== undefined && { api5xxPerFiveMinutes }),
    ...(staleRecoveriesPerFiveMinutes !== undefined && { staleRecoveriesPerFiveMinutes }),
  };
}
