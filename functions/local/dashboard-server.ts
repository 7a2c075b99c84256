/**
 * Serves the dashboard locally (`npm start`, DASHBOARD_PORT, 3002 by default): the bundle built in memory at
 * start, and a config.json naming the local HTTP and WebSocket APIs. The headers are the deployed ones in
 * spirit (CloudFront's response headers policy): a CSP that allows only this origin and the two APIs, no
 * framing, no sniffing.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundleDashboard, type DashboardConfig } from '../../dashboard/build.ts';

export interface DashboardServer {
  url: string;
  /** `http://host:port`: the origin the HTTP API's CORS must allow. */
  origin: string;
  /**
   * Sets what config.json says (the APIs start after the dashboard, so they can allow its origin), and
   * where large params and results are downloaded from (the S3 emulator: the CSP allows it).
   */
  setConfig(config: DashboardConfig, payloadOrigin?: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
};

export async function startDashboardServer(options: {
  port: number;
  host?: string;
}): Promise<DashboardServer> {
  const files = await bundleDashboard();
  let config: DashboardConfig | undefined;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const name = path === '/' ? 'index.html' : path.slice(1);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'Method Not Allowed');
    if (name === 'config.json' && config)
      return send(res, 200, 'application/json', JSON.stringify(config), config);
    const body = files.get(name);
    if (body === undefined) return send(res, 404, 'text/plain', 'Not Found');
    send(res, 200, TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream', body, config);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    origin,
    setConfig: (next, origin) => {
      config = next;
      payloadOrigin = origin;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Uint8Array,
  config?: DashboardConfig,
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-security-policy': contentSecurityPolicy(config),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

/** The payload store's origin (set with the config): downloads of large params and results come from it. */
let payloadOrigin: string | undefined;

/** Scripts and styles from this origin only; requests to the two APIs, the payload store and the identity provider. */
function contentSecurityPolicy(config: DashboardConfig | undefined): string {
  const issuer = config?.oidc && new URL(config.oidc.issuer).origin;
  const connect = ["'self'", config?.apiUrl, config?.wsUrl, payloadOrigin, issuer].filter(Boolean).join(' ');
  return [
    "default-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
