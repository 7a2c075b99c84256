/**
 * One life of the soak's local stack (a process of its own, so a restart is a real one): starts the whole
 * local stack on the state directory (DynamoDB Local keeps its data there; the SQS emulator starts empty,
 * as after any restart), installs the faults, then
 * - life 1: submits jobs and stops the stack (submissions and all) once `STOP_AT` of all jobs have ended;
 * - life 2: submits the rest, runs until every job has ended, then checks the invariants with the ledgers
 *   of both lives.
 * Submissions are flow-controlled: a job is submitted only while fewer than QUEUED_WINDOW jobs wait in the
 * queues, as a steady producer would. Without it the whole backlog waits longer than the lost-message
 * threshold, every job is re-sent under a new epoch behind its own stale message, and the run collapses
 * into re-sends (0.35 jobs/s in an earlier version).
 * Writes its ledger and figures as JSON to `out`.
 *
 *   node --import tsx soak/child.ts <1|2> <stateDir> <jobs> <out.json> [life-1 out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJobStore } from '../functions/adapters/dynamodb/job-store.ts';
import type { JobStatus } from '../functions/core/job.ts';
import { localClientConfig } from '../functions/local/local-aws.ts';
import { startLocalStack } from '../functions/local/stack.ts';
import { submitPlanned, userIds } from '../test/support/faults/drive.ts';
import { installFaults } from '../test/support/faults/injector.ts';
import { Ledger, type LedgerData } from '../test/support/faults/ledger.ts';
import { Planner, type PlannerState, SOAK_MIX } from '../test/support/faults/plan.ts';
import { readAllJobs, verify } from '../test/support/faults/verify.ts';

const [phase, stateDir, jobsArg, out, previousOut] = process.argv.slice(2);
if (!phase || !stateDir || !jobsArg || !out)
  throw new Error('usage: child.ts <1|2> <stateDir> <jobs> <out.json> [life-1 out.json]');
const JOBS = Number(jobsArg);
const USERS = 20;
const STOP_AT = 0.4;
/** Jobs waiting in the queues at most before the next is submitted (the workers run 37 at once). */
const QUEUED_WINDOW = 80;
/** Each life gives up after this long; a stuck run then fails with its jobs reported lost. */
const LIFE_TIMEOUT_MS = Math.max(900_000, JOBS * 500);
const jwtSecret = 'soak-secret-soak-secret-soak-secret';
const log = (line: string) => process.stderr.write(`  [life ${phase}] ${line}\n`);

export interface LifeOne {
  ledger: LedgerData;
  planner: PlannerState;
  submitted: number;
  endedAtStop: number;
  seconds: number;
}

process.env.PROGRESS_INTERVAL_MS = '500';
const errors: unknown[] = [];
const ledger = new Ledger();
let installed: { client: DynamoDBClient; observer: DynamoJobStore } | undefined;
const stack = await startLocalStack({
  port: 0,
  wsPort: 0,
  jwtSecret,
  dataDir: join(stateDir, 'dynamodb'),
  prefix: 'soak',
  // Quick recovery (production: 20 s and 120 s), still tolerant of a machine that stalls for seconds.
  heartbeatSeconds: 2,
  staleAfterSeconds: 8,
  maintenanceIntervalMs: 5_000,
  // A message counts as lost after 70 s: above a poison message's way to the DLQ (8 receives x 6 s),
  // else it would be re-sent under a new epoch forever. The submission window keeps real waits far below.
  lostMessageAfterSeconds: 70,
  queues: { visibilityTimeoutSeconds: 6, maxReceiveCount: 8 },
  logLevel: process.env.SOAK_LOG_LEVEL ?? 'silent',
  onError: (error) => errors.push(error),
  // Before any poller starts: life 2 picks up life 1's jobs (re-sent by the first sweep) at once, and
  // they must meet the probe agent and the faults.
  beforeEventSources: async ({ dynamodbEndpoint, tables }) => {
    const client = new DynamoDBClient({ ...localClientConfig(dynamodbEndpoint), maxAttempts: 10 });
    const observer = new DynamoJobStore({ client, tableName: tables.Jobs as string, retentionDays: 30 });
    installed = { client, observer };
    // Late first messages arrive after the re-send (70 s) and during the retry's 60 s backoff.
    await installFaults({ ledger, observer, lateDelaySeconds: 85, zombieMaxPauseMs: 60_000 });
  },
});
if (!installed) throw new Error('the local stack started without calling beforeEventSources');
const { client, observer } = installed;

const started = Date.now();
const elapsed = () => Math.round((Date.now() - started) / 1000);

/** The latest statistics (all users), read once a second: how many jobs ended, how many are queued. */
const seen = { ended: 0, queued: 0, running: 0 };
let watching = true;
const watched = (async () => {
  let lastLog = 0;
  while (watching) {
    // A read that fails (DynamoDB Local slow on a busy machine) is simply tried again a second later.
    const stats = await observer.readStats({ all: true }).catch(() => null);
    const byStatus = stats?.byStatus;
    const count = (...statuses: JobStatus[]) =>
      statuses.reduce((sum, status) => sum + (byStatus?.[status] ?? 0), 0);
    if (byStatus) {
      seen.ended = count('completed', 'failed', 'dead', 'cancelled');
      seen.queued = count('queued');
      seen.running = count('running', 'cancelling');
    }
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`${seen.ended}/${JOBS} ended, ${seen.queued} queued, ${seen.running} running after ${elapsed()} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
})();

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

const submit = (from: number, planner: Planner, stopWhen: () => boolean) =>
  submitPlanned({
    httpUrl: stack.httpUrl,
    jwtSecret,
    users: USERS,
    from,
    count: JOBS - from,
    mix: SOAK_MIX,
    concurrency: 8,
    planner,
    admit: async () => {
      await until(() => stopWhen() || seen.queued < QUEUED_WINDOW, LIFE_TIMEOUT_MS);
      return !stopWhen();
    },
  });

if (phase === '1') {
  const stopAt = Math.ceil(JOBS * STOP_AT);
  const planner = new Planner(SOAK_MIX, USERS);
  const submitted = await submit(0, planner, () => seen.ended >= stopAt);
  log(`submitted ${submitted} jobs in ${elapsed()} s`);
  await until(() => seen.ended >= stopAt, LIFE_TIMEOUT_MS);
  const endedAtStop = seen.ended;
  log(
    `stopping the stack with ${endedAtStop} of ${submitted} submitted jobs ended (${seen.running} running)`,
  );
  watching = false;
  await watched;
  await stack.stop();
  const life: LifeOne = {
    ledger: ledger.toJSON(),
    planner: planner.toJSON(),
    submitted,
    endedAtStop,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(out, JSON.stringify(life));
} else {
  const previous = JSON.parse(readFileSync(previousOut ?? '', 'utf8')) as LifeOne;
  const planner = new Planner(SOAK_MIX, USERS, previous.planner);
  const submitted = previous.submitted + (await submit(previous.submitted, planner, () => false));
  log(`submitted the other ${submitted - previous.submitted} jobs in ${elapsed()} s`);
  await until(() => seen.ended >= JOBS, LIFE_TIMEOUT_MS);
  watching = false;
  await watched;
  const seconds = (Date.now() - started) / 1000;
  log(`${seen.ended} of ${JOBS} ended after ${Math.round(seconds)} s; checking`);
  const all = new Ledger();
  all.merge(previous.ledger);
  all.merge(ledger.toJSON());
  const jobs = await readAllJobs(client, stack.tables.Jobs as string);
  // A completion cut off by the stop (applied, but its answer never came back) is not a double one.
  const verdict = await verify(jobs, all, observer, {
    submitted,
    users: userIds(USERS),
    requireSeenCompletions: false,
    statsTimeoutMs: 300_000,
  });
  const planned: Record<string, number> = {};
  for (const job of jobs) {
    const fault = (job.params as { fault?: string }).fault ?? 'none';
    planned[fault] = (planned[fault] ?? 0) + 1;
  }
  await stack.stop();
  writeFileSync(
    out,
    JSON.stringify({ verdict, counts: all.counts, planned, seconds, errors: errors.length }),
  );
}
process.exit(0);
