/**
 * Cold import time of a bundle, paired within one fresh process (section bundles): the process imports the
 * external @aws-sdk packages the bundle names first (timed), then the bundle (timed). The second figure is
 * what the bundle adds to the SDK, measured in the same process under the same load, so the noise of
 * starting separate processes (±100 ms on a busy machine) does not enter the difference.
 *
 * A second kind of process also constructs one client of each SDK client package before the bundle: the
 * SDK loads much of itself lazily on the first client a process constructs (HTTP handler, credential and
 * region providers), a cost every function using the SDK pays whatever its code. Its bundle figure is then
 * the bundle's own code. Each bundle is imported in many fresh processes of both kinds, round-robin over
 * all bundles, the order reversed every other round, so a change of the machine's load reaches all alike.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { percentile } from './stats.ts';

const exec = promisify(execFile);

/** One fresh process: the SDK packages' import, its first clients (when constructed), the bundle; in ms. */
export interface ImportSample {
  sdkMs: number;
  /** Constructing one client per SDK client package after the import; null when not done. */
  clientsMs: number | null;
  bundleMs: number;
  bundleCpuMs: number;
  /** The handler's first invocation right after the import (only with a `firstEvent`), else null. */
  firstRequestMs?: number | null;
}

/** Median and p90 of per-process figures (nearest rank). */
export interface Spread {
  n: number;
  median: number;
  p90: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, median: percentile(sorted, 0.5), p90: percentile(sorted, 0.9) };
}

/** The distinct `@aws-sdk/*` packages a bundle imports (they are external: the Lambda runtime has them). */
export function sdkPackagesOf(source: string): string[] {
  const names = source.matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g);
  return [...new Set([...names].map((m) => m[1] as string))].sort();
}

/** One visit of a bundle: its index and whether the process constructs the SDK clients first. */
export interface Visit {
  index: number;
  clientsFirst: boolean;
}

/**
 * `rounds` rounds over `count` bundles, every other round reversed; each visit runs both kinds of process,
 * in the order of the round (without clients first, then with, or the reverse).
 */
export function alternatingRounds(count: number, rounds: number): Visit[] {
  const visits: Visit[] = [];
  for (let round = 0; round < rounds; round++) {
    const forward = round % 2 === 0;
    const indices = Array.from({ length: count }, (_, i) => i);
    for (const index of forward ? indices : indices.reverse()) {
      visits.push({ index, clientsFirst: !forward }, { index, clientsFirst: forward });
    }
  }
  return visits;
}

/** Per-process figures summarized: `own` is the bundle's import after the SDK's, `code` after its clients too. */
export function summarizeImports(samples: readonly ImportSample[]) {
  const plain = samples.filter((s) => s.clientsMs === null);
  const withClients = samples.filter((s) => s.clientsMs !== null);
  return {
    sdk: spread(plain.map((s) => s.sdkMs)),
    total: spread(plain.map((s) => s.sdkMs + s.bundleMs)),
    own: spread(plain.map((s) => s.bundleMs)),
    ownCpu: spread(plain.map((s) => s.bundleCpuMs)),
    clients: spread(withClients.map((s) => s.clientsMs ?? 0)),
    code: spread(withClients.map((s) => s.bundleMs)),
  };
}

/**
 * Imports the SDK packages, constructs one client of each (when asked), then imports the module and, given
 * an event, invokes its handler once; prints the durations (and the module's CPU) as JSON and exits,
 * whatever the module left pending.
 */
const IMPORT_SCRIPT = `
const [url, clientsFirst, firstEvent, ...sdk] = process.argv.slice(1);
const t0 = performance.now();
const modules = [];
for (const name of sdk) modules.push(await import(name));
const t1 = performance.now();
let clientsMs = null;
if (clientsFirst === 'true') {
  for (const module of modules)
    for (const [name, value] of Object.entries(module))
      if (name.endsWith('Client') && typeof value?.prototype?.send === 'function') new value({});
  clientsMs = performance.now() - t1;
}
const t2 = performance.now();
const cpu = process.cpuUsage();
await import(url);
const t3 = performance.now();
const used = process.cpuUsage(cpu);
let firstRequestMs = null;
if (firstEvent) {
  const { handler } = await import(url);
  const t4 = performance.now();
  await handler(JSON.parse(firstEvent), { awsRequestId: 'bench', getRemainingTimeInMillis: () => 29000 });
  firstRequestMs = performance.now() - t4;
}
const sample = {
  sdkMs: t1 - t0, clientsMs, bundleMs: t3 - t2, bundleCpuMs: (used.user + used.system) / 1000, firstRequestMs,
};
process.stdout.write(JSON.stringify(sample), () => process.exit(0));
`;

/**
 * One fresh `node` (flags as deployed: none; JobFunction sets no NODE_OPTIONS, the logger maps stacks on
 * demand) importing the SDK packages, then `file`; with
 * `firstEvent`, then invoking its handler once with it (what a function leaves to its first request).
 */
export async function sampleImport(
  file: string,
  sdkPackages: readonly string[],
  options: { cwd: string; env: Record<string, string>; clientsFirst: boolean; firstEvent?: unknown },
): Promise<ImportSample> {
  const { stdout } = await exec(
    process.execPath,
    [
      // The SDK warns about Node 20 on import; Lambda's Node 22 would not.
      '--no-warnings',
      '--input-type=module',
      '-e',
      IMPORT_SCRIPT,
      pathToFileURL(file).href,
      String(options.clientsFirst),
      options.firstEvent === undefined ? '' : JSON.stringify(options.firstEvent),
      ...sdkPackages,
    ],
    { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env } },
  );
  return JSON.parse(stdout) as ImportSample;
}
