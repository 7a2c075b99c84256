/**
 * Builds the dashboard: one esbuild bundle of the Preact app and the client library (nothing fetched at run
 * time), its CSS, index.html, and a `config.json` the app reads at start for `{apiUrl, wsUrl}`. Locally
 * `npm start` serves these files from memory (functions/local/dashboard-server.ts); deployed, the stack
 * uploads them and writes its own config.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface DashboardConfig {
  apiUrl: string;
  wsUrl: string;
  /** Sign-in by OIDC code + PKCE (dashboard/src/data/oidc.ts); without it, by token. */
  oidc?: { issuer: string; clientId: string; scopes: string; tokenUse?: 'id' | 'access' };
}

/** Path (relative to the site's root) → content. */
export type DashboardFiles = Map<string, string | Uint8Array>;

const here = dirname(fileURLToPath(import.meta.url));

const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Job queue dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="app.js"></script>
</body>
</html>
`;

/** The site's files, built in memory; `config` adds a config.json (the deployed stack writes its own). */
export async function bundleDashboard(config?: DashboardConfig): Promise<DashboardFiles> {
  const result = await build({
    entryPoints: { app: join(here, 'src/main.tsx') },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'out',
    loader: { '.css': 'css' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: DashboardFiles = new Map([['index.html', indexHtml]]);
  for (const output of result.outputFiles)
    files.set(output.path.split(/[\\/]/).pop() as string, output.contents);
  if (config) files.set('config.json', `${JSON.stringify(config)}\n`);
  return files;
}

/** Writes index.html, app.js, app.css and a placeholder config.json into `outDir`. */
export async function buildDashboard(
  outDir: string,
  config: DashboardConfig = { apiUrl: '', wsUrl: '' },
): Promise<void> {
  const files = await bundleDashboard(config);
  await mkdir(outDir, { recursive: true });
  for (const [name, content] of files) await writeFile(join(outDir, name), content);
}
