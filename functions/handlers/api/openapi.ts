/**
 * GET /openapi.json: the OpenAPI document, no auth. Built once per container and origin; `servers` names
 * the origin the request came to, so tools pointed at the document call the same deployment.
 */
import { httpHandler } from '../../api/http-handler.ts';
import { openApiDocument } from '../../api/openapi.ts';
import { logger } from '../../wiring/logger.ts';

const documents = new Map<string, string>();

export const handler = httpHandler({ access: 'public', logger }, async ({ event }) => {
  const host = event.headers.host ?? event.requestContext.domainName;
  const proto = event.headers['x-forwarded-proto'] ?? 'http';
  const origin = host ? `${proto}://${host}` : '';
  let body = documents.get(origin);
  if (body === undefined) {
    body = JSON.stringify(openApiDocument(origin || undefined));
    if (documents.size < 16) documents.set(origin, body);
  }
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
});
