/**
 * Sign-in by OIDC authorization code + PKCE, when config.json names an identity provider (the stack's
 * `dashboard.oidcIssuer` and `dashboard.oidcClientId`): the app reads the provider's discovery document,
 * sends the browser to its authorization endpoint with an S256 challenge and a random state, and on the way
 * back (`?code=...&state=...` at the dashboard's URL) checks the state and trades the code and the verifier
 * for tokens. The token the API expects (`tokenUse`: the ID token unless the stack says access) is then kept
 * like a pasted one: in sessionStorage, for this tab only (session.ts). No client secret exists anywhere.
 */
import { authorizeUrl, randomToken, s256Challenge, tokenRequestBody } from './pkce.ts';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  /** Which token the API's authorizer accepts (default id). */
  tokenUse?: 'id' | 'access';
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** What waits in sessionStorage between the redirect out and the way back. */
const PENDING = 'jobs-dashboard.oidc';
interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new SignInError(`the identity provider's configuration: ${response.status}`);
  const document = (await response.json()) as Partial<Discovery>;
  if (!document.authorization_endpoint || !document.token_endpoint)
    throw new SignInError("the identity provider's configuration has no authorization or token endpoint");
  return document as Discovery;
}

/** The dashboard's own address without query or fragment: the callback URL registered with the provider. */
export const redirectUriOf = (location: Pick<Location, 'origin' | 'pathname'>): string =>
  `${location.origin}${location.pathname}`;

/** Leaves for the provider's sign-in page. */
export async function beginSignIn(oidc: OidcConfig): Promise<void> {
  const { authorization_endpoint } = await discover(oidc.issuer);
  const pending: Pending = {
    state: randomToken(16),
    verifier: randomToken(32),
    redirectUri: redirectUriOf(location),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  location.assign(
    authorizeUrl(authorization_endpoint, {
      clientId: oidc.clientId,
      redirectUri: pending.redirectUri,
      scopes: oidc.scopes,
      state: pending.state,
      challenge: await s256Challenge(pending.verifier),
    }),
  );
}

/**
 * On the way back from the provider: the token, with the code taken out of the address bar; null when the
 * address carries no answer from the provider. Throws SignInError when the provider refused, the state does
 * not match the one this tab sent, or the exchange fails.
 */
export async function finishSignIn(oidc: OidcConfig): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  history.replaceState(null, '', `${location.pathname}#/`);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (params.has('error'))
    throw new SignInError(
      `the identity provider refused: ${params.get('error_description') ?? params.get('error')}`,
    );
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  if (!pending || pending.state !== params.get('state'))
    throw new SignInError('the sign-in answer does not belong to this tab (state mismatch): sign in again');
  const { token_endpoint } = await discover(oidc.issuer);
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({
      code: params.get('code') ?? '',
      redirectUri: pending.redirectUri,
      clientId: oidc.clientId,
      verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new SignInError(`the code exchange failed: ${response.status}`);
  const tokens = (await response.json()) as { id_token?: string; access_token?: string };
  const token = oidc.tokenUse === 'access' ? tokens.access_token : tokens.id_token;
  if (!token) throw new SignInError(`the identity provider sent no ${oidc.tokenUse ?? 'id'} token`);
  return token;
}
