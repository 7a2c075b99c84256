/**
 * Section 4: bundle size and import time of every function as deployed. The CDK app is synthesized with
 * bundling on, so each bundle is the one `cdk deploy` would upload: built by the JobFunction construct
 * (infra/constructs/job-function.ts: minified ESM for node22, source maps, @aws-sdk/* external).
 *
 * Import time, the proxy for Lambda's init phase: fresh `node` processes (flags as deployed: no
 * NODE_OPTIONS) import the SDK packages the bundle names, then the bundle, each timed
 * (lib/import-timing.ts): the bundle's figure is what it adds to the SDK, paired within one process.
 * @aws-sdk is external, as in Lambda, where the runtime provides it: here it resolves from the project's
 * node_modules (the bundles are written under it), which is the SDK version of package-lock.json, not
 * necessarily the one in the Lambda runtime.
 *
 * The largest packages in each bundle come from an esbuild metafile of the same entry with the same
 * options, rebuilt here (the CDK keeps no metafile).
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { bundleOutput, measuredBundleOptions, projectRoot } from '../../infra/constructs/job-function.ts';
import {
  alternatingRounds,
  type ImportSample,
  sampleImport,
  sdkPackagesOf,
  summarizeImports,
} from '../lib/import-timing.ts';
import type { SectionContext } from '../lib/results.ts';
import { summarize } from '../lib/stats.ts';
import { synthesize } from '../lib/synth.ts';
import { heading, kb, ms, table } from '../lib/table.ts';

const exec = promisify(execFile);

/** What Lambda's runtime sets besides the function's own variables (dummy credentials: nothing is called). */
const RUNTIME_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

/**
 * A secret named by `<NAME>_ARN` is read from Secrets Manager during the import on AWS (a round trip, not
 * code); here it is given as the plain `<NAME>` variable, as locally (functions/wiring/secret.ts).
 */
function secretsInline(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => {
      const secret = /^(.*_SECRET)_ARN$/.exec(name)?.[1];
      return secret ? [secret, `bench-${secret.toLowerCase()}-0123456789abcdef`] : [name, value];
    }),
  );
}

/**
 * Functions that leave work to their first request (read a file, build a client), invoked once after the
 * import with this event, so that moving work out of the import shows: import + first request is reported
 * beside the import. Only those that need nothing but their bundle (no table, no queue) can be invoked here.
 */
const FIRST_REQUESTS: Record<string, unknown> = {
  // Reads the gzipped Redoc script beside the bundle (functions/api/docs-page.ts).
  'api/docs-asset': {
    version: '2.0',
    rawPath: '/docs/redoc.standalone.js',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
    requestContext: { http: { method: 'GET', path: '/docs/redoc.standalone.js' } },
    isBase64Encoded: false,
  },
};

export async function run(ctx: SectionContext) {
  const runs = ctx.quick ? 3 : 9;
  ctx.log('bundles: synthesizing the CDK stack with bundling (esbuild, one bundle per function)');
  const functions = synthesize({ bundle: true });
  const bundles = functions.map((fn) => {
    if (!fn.assetDir) throw new Error(`no asset for ${fn.module}`);
    const file = join(fn.assetDir, 'index.mjs');
    const sdkPackages = sdkPackagesOf(readFileSync(file, 'utf8'));
    // The variables it is deployed with (template references as stand-ins), as Lambda would set them.
    return {
      module: fn.module,
      file,
      sdkPackages,
      env: { ...RUNTIME_ENV, ...secretsInline(fn.environment) },
      firstEvent: FIRST_REQUESTS[fn.module],
    };
  });
  ctx.log(`bundles: ${2 * runs} fresh processes per bundle, round-robin over ${bundles.length} bundles`);
  const samples = bundles.map((): ImportSample[] => []);
  for (const { index, clientsFirst } of alternatingRounds(bundles.length, runs)) {
    const bundle = bundles[index] as (typeof bundles)[number];
    const options = { cwd: projectRoot, env: bundle.env, clientsFirst, firstEvent: bundle.firstEvent };
    samples[index]?.push(await sampleImport(bundle.file, bundle.sdkPackages, options));
  }
  const results = [];
  for (const [index, bundle] of bundles.entries()) {
    const taken = samples[index] ?? [];
    const plain = taken.filter((s) => s.clientsMs === null);
    const { own, ownCpu, clients, code } = summarizeImports(taken);
    results.push({
      module: bundle.module,
      bytes: statSync(bundle.file).size,
      mapBytes: statSync(`${bundle.file}.map`).size,
      largestPackages: await composition(bundle.module),
      /** The whole import (SDK packages, then the bundle) per process. */
      importMs: summarize(plain.map((s) => s.sdkMs + s.bundleMs)),
      /** Importing only the @aws-sdk packages the bundle names, first in the same processes. */
      sdkImportMs: summarize(plain.map((s) => s.sdkMs)),
      /** What the bundle adds to the SDK: its import after the SDK's, per process (the goal's figure). */
      ownImportMs: own,
      /** The CPU time of that import (less sensitive to other processes than wall time). */
      ownImportCpuMs: ownCpu,
      /** The SDK's first clients (one per client package) constructed after its import, in the other processes. */
      sdkClientsMs: clients,
      /** The bundle's import after the SDK's import and first clients: its own code's share of `ownImportMs`. */
      codeImportMs: code,
      /** Import + the handler's first invocation (FIRST_REQUESTS only), per process, without clients first. */
      importAndFirstRequestMs:
        bundle.firstEvent === undefined
          ? null
          : summarize(plain.map((s) => s.bundleMs + (s.firstRequestMs ?? 0))),
      sdkPackages: bundle.sdkPackages,
    });
    ctx.log(
      `bundles: ${bundle.module}: ${(statSync(bundle.file).size / 1024).toFixed(0)} KB, +${own.median.toFixed(1)} ms over the SDK (p90 ${own.p90.toFixed(1)}; after its clients +${code.median.toFixed(1)})`,
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
      `Import time: ${2 * runs} fresh node ${process.version} processes per bundle without --enable-source-maps (as deployed: the logger maps stacks on demand), round-robin over the bundles; each imports the @aws-sdk packages the bundle names ("SDK"), then the bundle ("+ bundle": what it adds, wall and CPU, median and p90 of the per-process figures). In half of them one client of each SDK package is constructed before the bundle ("SDK clients": the SDK's lazy loading on a process's first client, which any function using it pays), leaving the bundle's own code ("+ code"). Run from the repository, so @aws-sdk/* resolves from node_modules; Lambda's runtime provides its own copy.`,
      'Lambda runs Node 22 on arm64 with a share of a vCPU proportional to memory; this machine is faster per core, so these are lower bounds of the init phase.',
    ],
  };
}

/** The packages that contribute most to a bundle (esbuild metafile, same options as JobFunction). */
async function composition(module: string): Promise<Array<{ name: string; bytes: number }>> {
  const result = await build(measuredBundleOptions(module));
  const output = bundleOutput(result.metafile.outputs);
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
      [
        'function',
        'index.mjs',
        '.map',
        'largest parts',
        'import p50 ms',
        'SDK p50 ms',
        '+ bundle p50 ms',
        'p90 ms',
        'CPU p50 ms',
        'SDK clients p50 ms',
        '+ code p50 ms',
      ],
      result.functions.map((fn) => [
        fn.module,
        kb(fn.bytes),
        kb(fn.mapBytes),
        fn.largestPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
        ms(fn.importMs.median, 0),
        fn.sdkPackages.length > 0 ? ms(fn.sdkImportMs.median, 0) : '-',
        ms(fn.ownImportMs.median, 1),
        ms(fn.ownImportMs.p90, 1),
        ms(fn.ownImportCpuMs.median, 1),
        fn.sdkPackages.length > 0 ? ms(fn.sdkClientsMs.median, 1) : '-',
        ms(fn.codeImportMs.median, 1),
      ]),
    ),
    ...result.functions
      .filter((fn) => fn.importAndFirstRequestMs)
      .map(
        (fn) =>
          `${fn.module} leaves work to its first request: + bundle and its first request, p50 ${ms(fn.importAndFirstRequestMs?.median ?? 0, 1)} ms (+ bundle alone ${ms(fn.ownImportMs.median, 1)} ms).`,
      ),
    `An empty node process starts in ${ms(result.processStartMs.median, 0)} ms here (spawned and awaited from outside), for scale.`,
    ...result.notes,
  ].join('\n');
}
