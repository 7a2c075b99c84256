/**
 * Runs one bench section in a process of its own (the orchestrator, bench/run.ts, starts one per section):
 * the handlers read their configuration at import, so every section gets fresh handler modules, fresh
 * emulators and a quiet process to measure in. Writes the section's result as JSON to the given file,
 * and its console report beside it (`<out.json>.txt`).
 *
 *   node --import tsx bench/child.ts <section> <out.json> [--quick]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchResults, SectionContext, SectionName } from './lib/results.ts';

const [name, out, ...flags] = process.argv.slice(2);
if (!name || !out) throw new Error('usage: child.ts <section> <out.json> [--quick]');

const previousFile = process.env.BENCH_PREVIOUS;
const previous = previousFile
  ? (JSON.parse(readFileSync(previousFile, 'utf8')) as BenchResults['sections'])
  : ({} as BenchResults['sections']);
const context: SectionContext = {
  quick: flags.includes('--quick'),
  previous,
  log: (line) => process.stderr.write(`  ${line}\n`),
};

const section = (await import(`./sections/${name as SectionName}.ts`)) as {
  run(context: SectionContext): Promise<unknown>;
  render(result: unknown): string;
};
const started = performance.now();
const result = await section.run(context);
const stamped = {
  ...(result as object),
  measuredAt: new Date().toISOString(),
  wallSeconds: (performance.now() - started) / 1000,
  quick: context.quick,
};
writeFileSync(out, JSON.stringify(stamped));
// The console report, rendered here so the orchestrator never imports a section (or the handlers).
writeFileSync(`${out}.txt`, section.render(stamped));
// Emulators, sockets and SDK agents may keep handles open; the result is written, so leave now.
process.exit(0);
