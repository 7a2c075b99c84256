/**
 * Dashboard sign-in by OIDC authorization code + PKCE in a real browser, against a tiny OIDC provider the
 * test starts on loopback (discovery, an authorization endpoint that signs in at once, a token endpoint
 * that checks the S256 verifier) and the local stack, whose API accepts the ID token the provider issues
 * (signed with the local stack's key, as a real provider's would be verified through its JWKS).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { type BrowserSession, openBrowser, text, visible } from '../support/browser.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

const CLIENT_ID = 'dashboard-client';
const USER = 'oidc-user';

interface FakeProvider {
  url: string;
  /** The authorization requests it received, as query parameters. */
  authorizations: Array<Record<string, string>>;
  /** Code exchanges it answered, with whether the verifier matched the challenge. */
  exchanges: Array<{ verifierMatched: boolean; body: Record<string, string> }>;
  /** The ID tokens it issued. */
  issued: string[];
  close(): Promise<void>;
}

async function startFakeProvider(): Promise<FakeProvider> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const provider: Omit<FakeProvider, 'url' | 'close'> = { authorizations: [], exchanges: [], issued: [] };
  let url = '';
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    return Object.fromEntries(new URLSearchParams(body));
  };
  const server: Server = createServer((req, res) => {
    const request = new URL(req.url ?? '/', url);
    if (request.pathname === '/.well-known/openid-configuration')
      return reply(res, 200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
      });
    if (request.pathname === '/authorize') {
      const params = Object.fromEntries(request.searchParams);
      provider.authorizations.push(params);
      const code = randomBytes(12).toString('hex');
      codes.set(code, { challenge: params.code_challenge ?? '', redirectUri: params.redirect_uri ?? '' });
      const back = new URL(params.redirect_uri ?? '');
      back.search = new URLSearchParams({ code, state: params.state ?? '' }).toString();
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (request.pathname === '/token' && req.method === 'POST') {
      void readBody(req).then(async (body) => {
        const issued = codes.get(body.code ?? '');
        codes.delete(body.code ?? '');
        const verifierMatched =
          issued !== undefined &&
          createHash('sha256')
            .update(body.code_verifier ?? '')
            .digest('base64url') === issued.challenge;
        provider.exchanges.push({ verifierMatched, body });
        if (
          !issued ||
          !verifierMatched ||
          body.redirect_uri !== issued.redirectUri ||
          body.client_id !== CLIENT_ID
        )
          return reply(res, 400, { error: 'invalid_grant' });
        const idToken = await tokenFor(USER, false);
        provider.issued.push(idToken);
        reply(res, 200, {
          id_token: idToken,
          access_token: 'opaque-access',
          token_type: 'Bearer',
          expires_in: 3600,
        });
      });
      return;
    }
    reply(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...provider,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let provider: FakeProvider;
let stack: LocalStack;
let session: BrowserSession;
let page: Page;
let dashboardUrl: string;

beforeAll(async () => {
  provider = await startFakeProvider();
  stack = await startTestStack('dash-oidc', {
    dashboardPort: 0,
    dashboardOidc: { issuer: provider.url, clientId: CLIENT_ID, scopes: 'openid email' },
  });
  dashboardUrl = stack.dashboardUrl as string;
  session = await openBrowser();
  page = session.page;
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
  await provider?.close();
});

describe('OIDC sign-in (authorization code + PKCE)', () => {
  it('refuses an answer that does not carry the state this tab sent', async () => {
    await page.goto(`${dashboardUrl}?code=forged&state=not-mine`);
    await text(page.getByRole('alert'), /state mismatch/);
    expect(new URL(page.url()).search).toBe('');
    expect(provider.exchanges).toEqual([]);
    await session.screenshot('oidc-sign-in');
  });

  it('signs in through the provider, trading the code with the S256 verifier, and uses the ID token', async () => {
    await page.getByRole('button', { name: `Sign in with ${new URL(provider.url).host}` }).click();
    await text(page.locator('header .user'), USER);
    await visible(page.getByRole('heading', { name: 'Jobs by status' }));
    await text(page.locator('header [role="status"]'), 'live');

    const [authorization] = provider.authorizations;
    expect(authorization).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: dashboardUrl,
      scope: 'openid email',
      code_challenge_method: 'S256',
    });
    expect(authorization?.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization?.state).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(provider.exchanges.map((exchange) => exchange.verifierMatched)).toEqual([true]);
    expect(provider.exchanges[0]?.body).not.toHaveProperty('client_secret');

    // The code is gone from the address bar; the token is this tab's only.
    const address = new URL(page.url());
    expect(address.search).toBe('');
    expect(address.hash).toBe('#/');
    expect(await page.evaluate("sessionStorage.getItem('jobs-dashboard.token')")).toBe(provider.issued[0]);
    expect(await page.evaluate("sessionStorage.getItem('jobs-dashboard.oidc')")).toBeNull();
    await session.screenshot('oidc-signed-in');
    expect(session.problems).toEqual([]);
  });
});
