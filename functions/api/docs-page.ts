/**
 * The reference page at GET /docs: Redoc rendering /openapi.json. The page and Redoc's script are served by
 * this API itself (no CDN): the script comes from the `redoc` package, copied next to the deployed bundle
 * (see infra/api-access.ts `files`) or read from node_modules when running locally.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const DOCS_SCRIPT_FILE = 'redoc.standalone.js';
/** Where the script is in the project, for the bundler to copy next to the function. */
export const DOCS_SCRIPT_SOURCE = `node_modules/redoc/bundles/${DOCS_SCRIPT_FILE}`;

/** Root-relative URLs: the HTTP API serves its `$default` stage at the root. */
export const docsHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Tiered job queue API reference</title>
    <style>body { margin: 0; }</style>
  </head>
  <body>
    <noscript>This page needs JavaScript. The API description itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="/docs/${DOCS_SCRIPT_FILE}"></script>
  </body>
</html>
`;

export interface DocsScript {
  text: string;
  gzip: Buffer;
}

/** Reads the script once: beside the deployed bundle, else from the installed `redoc` package. */
export function loadDocsScript(): DocsScript {
  const bundled = fileURLToPath(new URL(`./${DOCS_SCRIPT_FILE}`, import.meta.url));
  const path = existsSync(bundled)
    ? bundled
    : createRequire(import.meta.url).resolve(`redoc/bundles/${DOCS_SCRIPT_FILE}`);
  const text = readFileSync(path, 'utf8');
  return { text, gzip: gzipSync(text) };
}
