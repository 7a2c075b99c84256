/**
 * Shows that the fault test can fail: applies one mutation at a time to the fencing in the production
 * code, runs test/integration/fault-injection.test.ts, expects it to FAIL, and restores the file.
 *   1. `complete` without its epoch/status precondition (functions/core/transitions.ts);
 *   2. the claim without its epoch check (functions/usecases/run-job.ts and the claim transition) and
 *      without the due-time check that also keeps a stale or early message from starting a retry;
 *   3. `ctx.step` without replaying a stored step (functions/usecases/durable-steps.ts);
 *   4. `recordSteps` without its status/epoch/attempt precondition (functions/core/step-transitions.ts).
 * Run: `npx tsx soak/mutation-check.ts [part of a mutation's name]` (a few minutes per mutation; the files
 * are restored even on Ctrl-C).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
interface Edit {
  file: string;
  from: string;
  to: string;
}
const mutations: Array<{ name: string; edits: Edit[] }> = [
  {
    name: 'complete without its precondition',
    edits: [
      {
        file: 'functions/core/transitions.ts',
        from: "    name: 'complete',\n    expect: { status: ['running', 'cancelling'], ...run(job) },",
        to: "    name: 'complete',\n    expect: { status: ['pending', 'scheduled', 'queued', 'running', 'retrying', 'cancelling', 'completed', 'failed', 'cancelled', 'dead'] },",
      },
    ],
  },
  {
    name: 'claim without its epoch check',
    edits: [
      {
        file: 'functions/usecases/run-job.ts',
        from: "  if (found.epoch !== message.epoch) return { kind: 'dropped', reason: 'stale epoch' };\n",
        to: '',
      },
      {
        // The due-time check is the second guard against a retry before its backoff: without it as well.
        file: 'functions/usecases/run-job.ts',
        from: "  if (dueInMs > 0) return { kind: 'early', job: found, delaySeconds: Math.ceil(dueInMs / 1000) };\n",
        to: '',
      },
      {
        file: 'functions/core/transitions.ts',
        from: "    name: 'claim',\n    expect: { status: ['queued', 'retrying'], epoch: job.epoch, attempt: job.attempt },",
        to: "    name: 'claim',\n    expect: { status: ['queued', 'retrying'] },",
      },
    ],
  },
  {
    name: 'a stored step runs again',
    edits: [
      {
        file: 'functions/usecases/durable-steps.ts',
        from: "    if (stored) return JSON.parse(stored.result ?? 'null') as T;\n",
        to: '',
      },
    ],
  },
  {
    name: 'recordSteps without its fencing',
    edits: [
      {
        file: 'functions/core/step-transitions.ts',
        from: "    name: 'recordSteps',\n    expect: { status: ['running', 'cancelling'], ...run(job) },",
        to: "    name: 'recordSteps',\n    expect: { status: ['running', 'cancelling', 'retrying', 'completed', 'failed', 'dead'] },",
      },
    ],
  },
];
const only = process.argv[2];

const originals = new Map<string, string>();
const restore = () => {
  for (const [file, text] of originals) writeFileSync(join(root, file), text);
  originals.clear();
};
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});

let ok = true;
for (const mutation of mutations.filter((m) => !only || m.name.includes(only))) {
  try {
    for (const edit of mutation.edits) {
      const path = join(root, edit.file);
      const text = originals.get(edit.file) ?? readFileSync(path, 'utf8');
      originals.set(edit.file, text);
      const current = readFileSync(path, 'utf8');
      if (!current.includes(edit.from)) throw new Error(`${edit.file}: the code to mutate was not found`);
      writeFileSync(path, current.replace(edit.from, edit.to));
    }
    console.log(`mutation: ${mutation.name}; running the fault test (it must fail)`);
    const run = spawnSync('npx', ['vitest', 'run', 'test/integration/fault-injection.test.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    const output = `${run.stdout}${run.stderr}`;
    const failures = output
      .split('\n')
      .filter((line) => /\d+ (jobs|retries|zombie|agent|step|invocations)/.test(line));
    console.log(failures.slice(0, 6).join('\n'));
    if (run.status === 0) {
      ok = false;
      console.log(`  NOT CAUGHT: the fault test passed with "${mutation.name}"`);
    } else console.log(`  caught: the fault test failed (exit ${run.status})`);
  } finally {
    restore();
  }
}
process.exitCode = ok ? 0 : 1;
