/** GET /docs: the API reference page (Redoc over /openapi.json), no auth. */
import { docsHtml } from '../../api/docs-page.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { logger } from '../../wiring/logger.ts';

export const handler = httpHandler({ access: 'public', logger }, async () => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
  body: docsHtml,
}));
