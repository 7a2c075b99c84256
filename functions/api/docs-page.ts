/**
 * The reference page at GET /docs: Redoc rendering /openapi.json. The page and Redoc's script are served by
 * this API itself (no CDN): the script comes from the `redoc` package, gzipped next to the deployed bundle
 * (see infra/api-access.ts `gzippedFiles`) or read from node_modules when running locally.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

export const DOCS_SCRIPT_FILE = 'redoc.standalone.js';
/** Where the script is in the project, for the bundler to copy next to the function. */
export const DOCS_SCRIPT_SOURCE = `node_modules/redoc/bundles/${DOCS_SCRIPT_FILE}`;
/** Its gzip, made by the build next to the deployed bundle. */
export const DOCS_SCRIPT_GZIP_FILE = `${DOCS_SCRIPT_FILE}.gz`;

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

/**
 * The script as served: gzipped for callers that accept it (nearly all), else plain. Deployed, only its gzip
 * is shipped, made at build time (infra/api-access.ts `gzippedFiles`): nothing is compressed in Lambda, and
 * a plain copy is unzipped for the rare caller that needs one. Run from the project (the local stack), the
 * installed `redoc` package's file is read and compressed instead. Either way each form is made on the first
 * request that needs it and kept: the cold start only checks that the file is there.
 */
export interface DocsScript {
  gzip(): Buffer;
  text(): string;
}

/** Where the script is: its gzip beside the deployed bundle, else the installed package's plain file. */
export type DocsScriptSource = { gzipPath: string } | { textPath: string };

/** Finds the script; throws when neither is there (a missing file fails the cold start, not a request). */
export function locateDocsScript(
  besideBundle = new URL(`./${DOCS_SCRIPT_GZIP_FILE}`, import.meta.url),
): DocsScriptSource {
  const gzipPath = fileURLToPath(besideBundle);
  if (existsSync(gzipPath)) return { gzipPath };
  return { textPath: createRequire(import.meta.url).resolve(`redoc/bundles/${DOCS_SCRIPT_FILE}`) };
}

/** The script in both forms, each read or derived once on first use. */
export function docsScript(source: DocsScriptSource): DocsScript {
  let gzip: Buffer | undefined;
  let text: string | undefined;
  return {
    gzip() {
      gzip ??= 'gzipPath' in source ? readFileSync(source.gzipPath) : gzipSync(this.text());
      return gzip;
    },
    text() {
      text ??=
        'textPath' in source
          ? readFileSync(source.textPath, 'utf8')
          : gunzipSync(this.gzip()).toString('utf8');
      return text;
    },
  };
}
