/**
 * `npm run soak`: the fault test's faults at scale. 10,000 jobs (or `--jobs N`) go through the whole local
 * stack in a process of its own; when 40% of them have ended the stack is stopped and started again on
 * the same state directory, and the run goes on to the end. Then: 0 jobs lost, 0 completed twice, no agent
 * run twice in one attempt, no zombie write accepted, no retry before its backoff, statistics equal to a
 * recount. Prints its figures; exits 1 if any check failed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultCounts } from '../test/support/faults/ledger.ts';
import type { Verdict } from '../test/support/faults/verify.ts';

const jobsFlag = process.argv.indexOf('--jobs');
const JOBS = jobsFlag > 0 ? Number(process.argv[jobsFlag + 1]) : 10_000;
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
  const one = JSON.parse(readFileSync(first, 'utf8')) as { submitSeconds: number; endedAtStop: number };
  const two = JSON.parse(readFileSync(second, 'utf8')) as { verdict: Verdict; counts: FaultCounts };
  const seconds = (Date.now() - started) / 1000;
  const figures = {
    jobs: JOBS,
    ...two.verdict.byStatus,
    endedBeforeRestart: one.endedAtStop,
    restartSeconds: Math.round((Date.now() - restartedAt) / 100) / 10,
    agentRuns: two.verdict.agentRuns,
    retriedRuns: two.verdict.retriedRuns,
    unseenCompletions: two.verdict.unseenCompletions,
    faults: two.counts,
    submitSeconds: one.submitSeconds,
    seconds: Math.round(seconds),
    jobsPerSecond: Math.round((JOBS / seconds) * 10) / 10,
  };
  console.log(JSON.stringify(figures, null, 2));
  if (two.verdict.problems.length > 0) {
    console.log(`FAILED:\n- ${two.verdict.problems.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log('soak passed: 0 lost, 0 completed twice, no agent run twice in one attempt, stats = recount');
  }
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
