/**
 * Section 4: bundle size and import time of every function as deployed. The CDK app is synthesized with
 * bundling on, so each bundle is the one `cdk deploy` would upload: built by the JobFunction construct
 * (infra/constructs/job-function.ts: minified ESM for node22, source maps, @aws-sdk/* external).
 *
 * Import time, the proxy for Lambda's init phase: a fresh `node` process (NODE_OPTIONS as deployed:
 * --enable-source-maps) imports the bundle and reports how long the import took; the median of several
 * runs. @aws-sdk is external, as in Lambda, where the runtime provides it: here it resolves from the
 * project's node_modules (the bundles are written under it), which is the SDK version of package-lock.json,
 * not necessarily the one in the Lambda runtime. The same process also times importing the SDK clients
 * alone, so the bundle's own share shows.
 *
 * The largest packages in each bundle come from an esbuild metafile of the same entry with the same
 * options, rebuilt here (the CDK keeps no metafile).
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { measuredBundleOptions, projectRoot } from '../../infra/constructs/job-function.ts';
import type { SectionContext } from '../lib/results.ts';
import { type Summary, summarize } from '../lib/stats.ts';
import { synthesize } from '../lib/synth.ts';
import { heading, kb, ms, table } from '../lib/table.ts';

const exec = promisify(execFile);

/** What the handlers' config modules require at import; dummy values (nothing is called). */
const DUMMY_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  JOBS_TABLE: 'jobs',
  CONNECTIONS_TABLE: 'connections',
  WS_MANAGEMENT_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  QUEUE_URL_CRITICAL: 'https://sqs.us-east-1.amazonaws.com/000000000000/critical',
  QUEUE_URL_HIGH: 'https://sqs.us-east-1.amazonaws.com/000000000000/high',
  QUEUE_URL_NORMAL: 'https://sqs.us-east-1.amazonaws.com/000000000000/normal',
  QUEUE_URL_LOW: 'https://sqs.us-east-1.amazonaws.com/000000000000/low',
  DLQ_URL_CRITICAL: 'https://sqs.us-east-1.amazonaws.com/000000000000/critical-dlq',
  DLQ_URL_HIGH: 'https://sqs.us-east-1.amazonaws.com/000000000000/high-dlq',
  DLQ_URL_NORMAL: 'https://sqs.us-east-1.amazonaws.com/000000000000/normal-dlq',
  DLQ_URL_LOW: 'https://sqs.us-east-1.amazonaws.com/000000000000/low-dlq',
  AUTH_MODE: 'hs256',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
  CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret',
  LOG_LEVEL: 'error',
};

/** Imports the SDK packages (when given), then the module; prints both durations in ms as JSON. */
const IMPORT_SCRIPT = `
const [url, ...sdk] = process.argv.slice(1);
const t0 = performance.now();
for (const name of sdk) await import(name);
const t1 = performance.now();
await import(url);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ sdk: t1 - t0, total: t2 - t0 }));
`;

async function timeImport(file: string, sdkPackages: string[], preloadSdk: boolean) {
  const { stdout } = await exec(
    process.execPath,
    [
      '--enable-source-maps',
      // The SDK warns about Node 20 on import; Lambda's Node 22 would not.
      '--no-warnings',
      '--input-type=module',
      '-e',
      IMPORT_SCRIPT,
      pathToFileURL(file).href,
      ...(preloadSdk ? sdkPackages : []),
    ],
    { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...DUMMY_ENV } },
  );
  return JSON.parse(stdout) as { sdk: number; total: number };
}

export async function run(ctx: SectionContext) {
  const runs = ctx.quick ? 3 : 7;
  ctx.log('bundles: synthesizing the CDK stack with bundling (esbuild, one bundle per function)');
  const functions = synthesize({ bundle: true });
  const results: Array<{
    module: string;
    bytes: number;
    mapBytes: number;
    largestPackages: Array<{ name: string; bytes: number }>;
    importMs: Summary;
    /** Importing only the @aws-sdk packages the bundle names, in a fresh process. */
    sdkImportMs: Summary;
    sdkPackages: string[];
  }> = [];
  for (const fn of functions) {
    if (!fn.assetDir) throw new Error(`no asset for ${fn.module}`);
    const file = join(fn.assetDir, 'index.mjs');
    const source = readFileSync(file, 'utf8');
    const sdkPackages = [
      ...new Set([...source.matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((m) => m[1] as string)),
    ];
    const imports: number[] = [];
    const sdkOnly: number[] = [];
    for (let i = 0; i < runs; i++) {
      imports.push((await timeImport(file, sdkPackages, false)).total);
      sdkOnly.push((await timeImport(file, sdkPackages, true)).sdk);
    }
    results.push({
      module: fn.module,
      bytes: statSync(file).size,
      mapBytes: statSync(`${file}.map`).size,
      largestPackages: await composition(fn.module),
      importMs: summarize(imports),
      sdkImportMs: summarize(sdkOnly),
      sdkPackages,
    });
    ctx.log(
      `bundles: ${fn.module}: ${(statSync(file).size / 1024).toFixed(0)} KB, import ${summarize(imports).median.toFixed(0)} ms`,
    );
  }
  // For scale: starting an empty node process, measured from outside.
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await exec(process.execPath, ['-e', ''], { cwd: projectRoot });
    baseline.push(performance.now() - started);
  }
  return {
    functions: results.sort((a, b) => b.bytes - a.bytes),
    nodeVersion: process.version,
    runs,
    processStartMs: summarize(baseline),
    notes: [
      `Bundles from the CDK synth (JobFunction: minified ESM, target node22, source maps, @aws-sdk/* external); sizes of index.mjs, the map beside it.`,
      `Import time: median of ${runs} fresh node ${process.version} processes with --enable-source-maps (as deployed), run from the repository so the external @aws-sdk/* packages resolve from node_modules; Lambda's runtime provides its own copy. "SDK alone" imports just the @aws-sdk packages the bundle names.`,
      'Lambda runs Node 22 on arm64 with a share of a vCPU proportional to memory; this machine is faster per core, so these are lower bounds of the init phase.',
    ],
  };
}

/** The packages that contribute most to a bundle (esbuild metafile, same options as JobFunction). */
async function composition(module: string): Promise<Array<{ name: string; bytes: number }>> {
  const result = await build(measuredBundleOptions(module));
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = match?.[1] ?? '(project code)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
}

export type BundleResult = Awaited<ReturnType<typeof run>>;

export function render(result: BundleResult): string {
  return [
    heading('[bundles] Bundles as deployed and cold import time'),
    table(
      ['function', 'index.mjs', '.map', 'largest parts', 'import p50 ms', 'p99 ms', 'SDK alone p50 ms'],
      result.functions.map((fn) => [
        fn.module,
        kb(fn.bytes),
        kb(fn.mapBytes),
        fn.largestPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
        ms(fn.importMs.median, 0),
        ms(fn.importMs.p99, 0),
        fn.sdkPackages.length > 0 ? ms(fn.sdkImportMs.median, 0) : '-',
      ]),
    ),
    `An empty node process starts in ${ms(result.processStartMs.median, 0)} ms here (spawned and awaited from outside), for scale.`,
    ...result.notes,
  ].join('\n');
}
