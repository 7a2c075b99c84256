/**
 * Sign-in by token: `#token=...` in the URL (moved into sessionStorage and removed from the address bar at
 * once, so it is never sent to a server nor kept in history), or pasted into the sign-in form.
 */
const KEY = 'jobs-dashboard.token';

export interface Session {
  token: string;
  user: string;
  admin: boolean;
}

/** Moves a `#token=...` fragment into sessionStorage; the address becomes `#/`. */
export function takeTokenFromUrl(): void {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionFor(token) : null;
}

export function signIn(token: string): Session {
  sessionStorage.setItem(KEY, token.trim());
  return sessionFor(token.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** What the token's claims say about its user; the API decides, this only picks what to show. */
export function sessionFor(token: string): Session {
  const claims = decodeClaims(token);
  const groups = [claims.groups, claims['cognito:groups']].flatMap((value) =>
    Array.isArray(value) ? value : [],
  );
  return {
    token,
    user: typeof claims.sub === 'string' ? claims.sub : 'unknown',
    admin: claims.role === 'admin' || groups.includes('admin'),
  };
}

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
