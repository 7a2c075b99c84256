/** GET /docs/redoc.standalone.js: the reference page's script, gzipped when the caller accepts it. */
import { docsScript, locateDocsScript } from '../../api/docs-page.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { logger } from '../../wiring/logger.ts';

// Found at load (a missing file fails the cold start, not a request); read on the first request, then kept.
const script = docsScript(locateDocsScript());

export const handler = httpHandler({ access: 'public', logger }, async ({ event }) => {
  const headers = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=86400',
    vary: 'accept-encoding',
  };
  if (/\bgzip\b/.test(event.headers['accept-encoding'] ?? ''))
    return {
      statusCode: 200,
      headers: { ...headers, 'content-encoding': 'gzip' },
      body: script.gzip().toString('base64'),
      isBase64Encoded: true,
    };
  return { statusCode: 200, headers, body: script.text() };
});
