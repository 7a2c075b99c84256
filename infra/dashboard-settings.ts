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

/** What the HTTP API's authorizer checks (infra/settings.ts AuthSettings, jwks mode). */
export interface ApiTokenClaims {
  mode: 'hs256' | 'jwks';
  issuer?: string | undefined;
  audience?: string | undefined;
  cognitoClientId?: string | undefined;
  acceptAnyIssuerAndAudience?: boolean | undefined;
}

/**
 * Why the API would refuse the tokens the dashboard signs in with, or undefined: the API must verify the
 * provider's keys (jwks) and accept its issuer and the dashboard's client (as audience, or as Cognito's
 * client id), unless its waiver accepts any.
 */
export function dashboardSignInProblem(
  oidc: { issuer: string; clientId: string },
  api: ApiTokenClaims,
): string | undefined {
  if (api.mode !== 'jwks')
    return "dashboard OIDC sign-in needs authMode jwks with the provider's jwksUrl: hs256 cannot verify its tokens";
  if (api.acceptAnyIssuerAndAudience) return undefined;
  const trim = (url: string | undefined) => url?.replace(/\/$/, '');
  if (trim(api.issuer) !== trim(oidc.issuer))
    return `dashboard.oidcIssuer ${oidc.issuer} is not the API's jwtIssuer ${api.issuer ?? '(none)'}`;
  if (api.audience !== oidc.clientId && api.cognitoClientId !== oidc.clientId)
    return `dashboard.oidcClientId ${oidc.clientId} is neither the API's jwtAudience nor its jwtCognitoClientId`;
  return undefined;
}

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
