/**
 * `config.json` next to index.html: where the HTTP and WebSocket APIs are, and the identity provider when
 * the dashboard signs in by OIDC (written by npm start or the stack).
 */
import type { OidcConfig } from './oidc.ts';

export interface DashboardConfig {
  apiUrl: string;
  wsUrl: string;
  oidc?: OidcConfig;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config = (await response.json()) as Partial<DashboardConfig>;
  if (!config.apiUrl) throw new Error('config.json has no apiUrl');
  const oidc = config.oidc;
  if (oidc && (!oidc.issuer || !oidc.clientId))
    throw new Error('config.json: oidc needs an issuer and a clientId');
  return {
    apiUrl: config.apiUrl,
    wsUrl: config.wsUrl ?? '',
    ...(oidc && {
      oidc: {
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        scopes: oidc.scopes || 'openid',
        ...(oidc.tokenUse && { tokenUse: oidc.tokenUse }),
      },
    }),
  };
}
