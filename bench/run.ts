/**
 * `npm run bench`: the performance and cost bench (issue #7). Runs each section in a child process of its
 * own (bench/child.ts), prints its table as soon as it is done, and writes bench/results.json.
 *
 *   npm run bench                              every section (about 7 minutes on 2 cores)
 *   npm run bench -- --only=requests,cost      some sections; the others keep their last results
 *   npm run bench -- --quick                   smaller runs, for working on the bench itself
 *
 * Sections (bench/lib/results.ts SECTIONS): requests (billable requests per job), overhead (handler time),
 * cost (per million jobs) and scale-envelope (jobs/s at each AWS limit), both computed from requests and
 * overhead, bundles (sizes, import time), throughput (local stack vs BullMQ), scale (read units at 1,000
 * vs 100,000 jobs). Ends with the goals of issue 14, met or missed. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateGoals, renderGoals } from './lib/goals.ts';
import { type BenchResults, NEEDS, SECTIONS, type SectionName } from './lib/results.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const projectRoot = join(benchDir, '..');
const resultsFile = join(benchDir, 'results.json');
const workDir = join(projectRoot, 'node_modules', '.cache', 'bench');

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npm run bench [-- --only=${SECTIONS.join(',')}] [--quick]\n`);
  process.exit(0);
}

const requested = values.only ? values.only.split(',').map((name) => name.trim()) : [...SECTIONS];
for (const name of requested)
  if (!SECTIONS.includes(name as SectionName))
    throw new Error(`unknown section "${name}"; sections: ${SECTIONS.join(', ')}`);

const previous: BenchResults | undefined = existsSync(resultsFile)
  ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults)
  : undefined;
const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
  },
  sections: { ...(previous?.sections ?? {}) },
};

// Sections computed from others' results: run those too when there are none yet.
const selected = SECTIONS.filter((name) => requested.includes(name));
for (const name of [...selected])
  for (const dependency of NEEDS[name] ?? [])
    if (!selected.includes(dependency) && !results.sections[dependency]) {
      process.stdout.write(`${name} needs ${dependency}, which has no results yet: running it too\n`);
      selected.splice(selected.indexOf(name), 0, dependency);
    }

/** Lines worth showing from a child's stderr: the section's own progress lines and anything that failed. */
const worthShowing = (line: string) => /^ {2}[a-z]+: /.test(line) || /\berror\b|exception|failed/i.test(line);

async function runSection(name: SectionName): Promise<boolean> {
  mkdirSync(workDir, { recursive: true });
  const out = join(workDir, `${name}.json`);
  const previousFile = join(workDir, 'previous.json');
  writeFileSync(previousFile, JSON.stringify(results.sections));
  const logFile = join(workDir, `${name}.log`);
  const log: string[] = [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(benchDir, 'child.ts'), name, out, ...(values.quick ? ['--quick'] : [])],
    {
      cwd: projectRoot,
      env: { ...process.env, BENCH_PREVIOUS: previousFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => {
      log.push(line);
      if (worthShowing(line)) process.stdout.write(`${line}\n`);
    });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  writeFileSync(logFile, `${log.join('\n')}\n`);
  if (code !== 0 || !existsSync(out)) {
    process.stdout.write(
      `section ${name} failed (exit ${code}); last lines of ${logFile}:\n${log.slice(-30).join('\n')}\n`,
    );
    return false;
  }
  const result = JSON.parse(readFileSync(out, 'utf8')) as never;
  (results.sections as Record<string, unknown>)[name] = result;
  process.stdout.write(`${readFileSync(`${out}.txt`, 'utf8')}\n`);
  return true;
}

const started = performance.now();
process.stdout.write(
  `bench: ${selected.join(', ')}${values.quick ? ' (quick)' : ''} on ${results.environment.cpus} × ${results.environment.cpuModel}, node ${process.version}\n`,
);
let failed = 0;
for (const name of selected) {
  const sectionStart = performance.now();
  process.stdout.write(`\n[${name}] running...\n`);
  if (!(await runSection(name))) failed++;
  process.stdout.write(`[${name}] ${((performance.now() - sectionStart) / 1000).toFixed(0)} s\n`);
}
results.goals = evaluateGoals(results.sections);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${renderGoals(results.goals)}\n`);
const stamps = Object.entries(results.sections).map(
  ([name, r]) => `${name} ${r.measuredAt}${r.quick ? ' (quick)' : ''}`,
);
process.stdout.write(`Measured: ${stamps.join('; ')}\n`);
process.stdout.write(
  `\nbench: ${selected.length - failed}/${selected.length} section(s) done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${resultsFile}\n`,
);
process.exit(failed > 0 ? 1 : 0);
