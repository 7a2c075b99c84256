/**
 * CORS the way API Gateway's HTTP API answers it when the API has a CORS configuration (the CDK stack's
 * `corsPreflight`, infra/constructs/http-api.ts): a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) is answered 204 by the gateway itself, before any authorizer or route; other
 * requests from an allowed origin get Access-Control-Allow-Origin (and the exposed headers) added to whatever
 * the integration answered, and CORS headers an integration sets are ignored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsSettings {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/** The same values as the CDK stack's corsPreflight, with the dashboard's origin. */
export const dashboardCors = (origin: string): CorsSettings => ({
  allowOrigins: [origin],
  allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['location'],
  maxAgeSeconds: 3600,
});

const allowed = (cors: CorsSettings, origin: string | undefined): origin is string =>
  origin !== undefined && (cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin));

/** Answers a preflight (true) or adds the CORS headers to the response to come (false). */
export function applyCors(cors: CorsSettings, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (preflight) {
    const headers: Record<string, string> = {};
    if (allowed(cors, origin)) {
      headers['access-control-allow-origin'] = cors.allowOrigins.includes('*') ? '*' : origin;
      headers['access-control-allow-methods'] = cors.allowMethods.join(',');
      headers['access-control-allow-headers'] = cors.allowHeaders.join(',');
      headers['access-control-max-age'] = String(cors.maxAgeSeconds);
    }
    res.writeHead(204, headers);
    res.end();
    return true;
  }
  if (allowed(cors, origin)) {
    res.setHeader('access-control-allow-origin', cors.allowOrigins.includes('*') ? '*' : origin);
    if (cors.exposeHeaders.length > 0)
      res.setHeader('access-control-expose-headers', cors.exposeHeaders.join(','));
  }
  return false;
}

/** The integration's own CORS headers, which API Gateway drops when the API has a CORS configuration. */
export const withoutCorsHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
  );
