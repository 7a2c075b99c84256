/**
 * How the deployed dashboard signs people in (README "Deploying"). Without an identity provider the app asks
 * for a token to paste; with one (`dashboard.oidcIssuer` + `dashboard.oidcClientId`) it signs in by OIDC
 * authorization code + PKCE, reading these values from the `config.json` written at deploy.
 */
import { SettingsError } from './settings-error.ts';

export interface DashboardOidcSettings {
  /** The provider's issuer URL; the app reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** A public client (no secret) whose callback URL is the stack output DashboardUrl. */
  clientId: string;
  /** Space-separated scopes requested (default "openid"). */
  scopes?: string;
  /**
   * Further origins the browser calls during sign-in, allowed by the CSP's connect-src (the issuer's own
   * origin always is): Cognito's token endpoint is on the hosted UI domain, not on the issuer.
   */
  connectOrigins?: string[];
}

export interface DashboardSettings {
  oidc?: DashboardOidcSettings;
}

export interface ResolvedDashboardSettings {
  oidc?: Required<DashboardOidcSettings>;
}

const ORIGIN = /^https:\/\/[^/\s?#]+$/;

export function resolveDashboardSettings(settings: DashboardSettings = {}): ResolvedDashboardSettings {
  const { oidc } = settings;
  if (!oidc) return {};
  if (!/^https:\/\/[^\s?#]+$/.test(oidc.issuer))
    throw new SettingsError(`dashboard.oidcIssuer must be an https URL, got "${oidc.issuer}"`);
  if (!/^[\w.~-]{1,256}$/.test(oidc.clientId))
    throw new SettingsError(`dashboard.oidcClientId is not a client id: "${oidc.clientId}"`);
  const scopes = (oidc.scopes ?? 'openid').trim();
  if (!scopes.split(/\s+/).includes('openid'))
    throw new SettingsError(`dashboard.oidcScopes must include openid, got "${scopes}"`);
  const connectOrigins = oidc.connectOrigins ?? [];
  for (const origin of connectOrigins)
    if (!ORIGIN.test(origin))
      throw new SettingsError(`dashboard.oidcConnectOrigins entries must be https://host, got "${origin}"`);
  return {
    oidc: { issuer: oidc.issuer.replace(/\/$/, ''), clientId: oidc.clientId, scopes, connectOrigins },
  };
}
