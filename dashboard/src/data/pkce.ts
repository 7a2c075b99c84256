/**
 * OAuth 2.0 authorization code + PKCE (RFC 7636, S256), the pure helpers: random verifier and state, the
 * S256 challenge, the authorization URL and the token request. Web Crypto only (browsers and Node 20+).
 */

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs use it. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `bytes` random bytes as base64url: 32 give a 43-character verifier, the shortest RFC 7636 allows. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function s256Challenge(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier))
    throw new Error('a PKCE verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: string;
  state: string;
  challenge: string;
}

/** Where the browser goes to sign in (response_type=code, code_challenge_method=S256). */
export function authorizeUrl(endpoint: string, request: AuthorizeRequest): string {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** The form body that trades the code for tokens (a public client: the verifier instead of a secret). */
export function tokenRequestBody(request: {
  code: string;
  redirectUri: string;
  clientId: string;
  verifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: request.code,
    redirect_uri: request.redirectUri,
    client_id: request.clientId,
    code_verifier: request.verifier,
  });
}
