/**
 * `npm run soak`: the fault test's faults at scale. 10,000 jobs (or `--jobs N`) go through the whole local
 * stack in a process of its own; when 40% of them have ended the stack is stopped (with jobs queued,
 * running and waiting for retries) and started again on the same state directory, and the run goes on
 * to the end (see child.ts). Then: 0 jobs lost, 0 completed twice, no agent
 * run twice in one attempt, no zombie write accepted, no retry before its backoff, every durable step's
 * function run as planned and never again once stored, statistics equal to a recount. Prints its figures; exits 1 if any check failed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultCounts } from '../test/support/faults/ledger.ts';
import type { Verdict } from '../test/support/faults/verify.ts';
import type { LifeOne } from './child.ts';

const jobsFlag = process.argv.indexOf('--jobs');
const JOBS = jobsFlag > 0 ? Number(process.argv[jobsFlag + 1]) : 10_000;
if (!Number.isInteger(JOBS) || JOBS < 50) {
  console.error('usage: npm run soak [-- --jobs N]   (N >= 50; 10,000 by default)');
  process.exit(2);
}
const stateDir = mkdtempSync(join(tmpdir(), 'soak-state-'));

function life(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'child.ts'), ...args],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
      },
    );
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`life ${args[0]} exited ${code}`)),
    );
  });
}

const started = Date.now();
try {
  console.log(`soak: ${JOBS} jobs, restart after 40% (state in ${stateDir})`);
  const first = join(stateDir, 'life-1.json');
  const second = join(stateDir, 'life-2.json');
  await life(['1', stateDir, String(JOBS), first]);
  const restartedAt = Date.now();
  await life(['2', stateDir, String(JOBS), second, first]);
  const one = JSON.parse(readFileSync(first, 'utf8')) as LifeOne;
  const two = JSON.parse(readFileSync(second, 'utf8')) as {
    verdict: Verdict;
    counts: FaultCounts;
    planned: Record<string, number>;
    errors: number;
  };
  const seconds = (Date.now() - started) / 1000;
  const figures = {
    jobs: JOBS,
    ...two.verdict.byStatus,
    submittedBeforeRestart: one.submitted,
    endedBeforeRestart: one.endedAtStop,
    firstLifeSeconds: Math.round(one.seconds),
    secondLifeSeconds: Math.round((Date.now() - restartedAt) / 1000),
    agentRuns: two.verdict.agentRuns,
    retriedRuns: two.verdict.retriedRuns,
    unseenCompletions: two.verdict.unseenCompletions,
    statsEqualRecountAfterSeconds: two.verdict.statsSettledSeconds,
    durable: two.verdict.durable,
    plannedFaults: two.planned,
    faults: two.counts,
    seconds: Math.round(seconds),
    jobsPerSecond: Math.round((JOBS / seconds) * 10) / 10,
  };
  console.log(JSON.stringify(figures, null, 2));
  if (two.verdict.problems.length > 0) {
    console.log(`FAILED:\n- ${two.verdict.problems.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      'soak passed: 0 lost, 0 completed twice, no agent run twice in one attempt, durable steps as planned, stats = recount',
    );
  }
} finally {
  // A failed run keeps its state (DynamoDB data, both lives' ledgers) for a look at what went wrong.
  if (process.exitCode === 1) console.log(`state kept in ${stateDir}`);
  else rmSync(stateDir, { recursive: true, force: true });
}
