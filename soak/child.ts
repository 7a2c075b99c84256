/**
 * One life of the soak's local stack (a process of its own, so a restart is a real one): starts the whole
 * local stack on the state directory (DynamoDB Local keeps its data there; the SQS emulator starts empty,
 * as after any restart), installs the faults, then
 * - phase 1: submits every job and stops the stack once `stopAt` of them have ended;
 * - phase 2: runs until every job has ended, then checks the invariants with the ledgers of both lives.
 * Writes its ledger and figures as JSON to `out`.
 *
 *   node --import tsx soak/child.ts <1|2> <stateDir> <jobs> <out.json> [phase-1 ledger.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJobStore } from '../functions/adapters/dynamodb/job-store.ts';
import { localClientConfig } from '../functions/local/local-aws.ts';
import { startLocalStack } from '../functions/local/stack.ts';
import { submitPlanned, userIds, waitForTerminal } from '../test/support/faults/drive.ts';
import { installFaults } from '../test/support/faults/injector.ts';
import { Ledger, type LedgerData } from '../test/support/faults/ledger.ts';
import { SOAK_MIX } from '../test/support/faults/plan.ts';
import { readAllJobs, verify } from '../test/support/faults/verify.ts';

const [phase, stateDir, jobsArg, out, previousLedger] = process.argv.slice(2);
if (!phase || !stateDir || !jobsArg || !out)
  throw new Error('usage: child.ts <1|2> <stateDir> <jobs> <out.json> [ledger]');
const JOBS = Number(jobsArg);
const USERS = 20;
const STOP_AT = 0.4;
const jwtSecret = 'soak-secret-soak-secret-soak-secret';
const log = (line: string) => process.stderr.write(`  [life ${phase}] ${line}\n`);

process.env.PROGRESS_INTERVAL_MS = '500';
const errors: unknown[] = [];
const stack = await startLocalStack({
  port: 0,
  wsPort: 0,
  jwtSecret,
  dataDir: join(stateDir, 'dynamodb'),
  prefix: 'soak',
  heartbeatSeconds: 2,
  staleAfterSeconds: 8,
  // Sweeps as often as a busy machine can finish them; a 10,000-job backlog waits minutes, so a message
  // counts as lost only after 3 minutes, and late first messages arrive after 4.
  maintenanceIntervalMs: 10_000,
  lostMessageAfterSeconds: 180,
  queues: { visibilityTimeoutSeconds: 8, maxReceiveCount: 8 },
  logLevel: process.env.SOAK_LOG_LEVEL ?? 'silent',
  onError: (error) => errors.push(error),
});
const client = new DynamoDBClient({ ...localClientConfig(stack.dynamodbEndpoint), maxAttempts: 10 });
const observer = new DynamoJobStore({ client, tableName: stack.tables.Jobs as string, retentionDays: 30 });
const ledger = new Ledger();
await installFaults({ ledger, observer, lateDelaySeconds: 240, zombieMaxPauseMs: 60_000 });
const started = Date.now();
const progress = (n: number) => {
  if (Date.now() - lastLog < 15_000) return;
  lastLog = Date.now();
  log(
    `${n}/${JOBS} ended after ${Math.round((Date.now() - started) / 1000)} s; faults ${JSON.stringify(ledger.counts)}`,
  );
};
let lastLog = 0;

if (phase === '1') {
  const submitting = submitPlanned({
    httpUrl: stack.httpUrl,
    jwtSecret,
    users: USERS,
    count: JOBS,
    mix: SOAK_MIX,
    concurrency: 16,
  });
  let submitted = 0;
  const submittedAt = submitting.then((n) => {
    submitted = n;
    log(`submitted ${n} jobs in ${Math.round((Date.now() - started) / 1000)} s`);
    return Date.now();
  });
  const ended = await waitForTerminal(observer, Math.ceil(JOBS * STOP_AT), 3_600_000, progress);
  await submitting;
  log(`stopping the stack with ${ended} of ${JOBS} jobs ended`);
  await stack.stop();
  writeFileSync(
    out,
    JSON.stringify({
      ledger: ledger.toJSON(),
      submitted,
      submitSeconds: ((await submittedAt) - started) / 1000,
      endedAtStop: ended,
      seconds: (Date.now() - started) / 1000,
      errors: errors.length,
    }),
  );
} else {
  const previous = JSON.parse(readFileSync(previousLedger ?? '', 'utf8')) as {
    ledger: LedgerData;
    submitted: number;
  };
  const ended = await waitForTerminal(observer, JOBS, 3_600_000, progress);
  const seconds = (Date.now() - started) / 1000;
  log(`${ended} of ${JOBS} ended after ${Math.round(seconds)} s; checking`);
  const all = new Ledger();
  all.merge(previous.ledger);
  all.merge(ledger.toJSON());
  const jobs = await readAllJobs(client, stack.tables.Jobs as string);
  // A completion cut off by the stop (applied, but its answer never came back) is not a double one.
  const verdict = await verify(jobs, all, observer, {
    submitted: previous.submitted,
    users: userIds(USERS),
    requireSeenCompletions: false,
  });
  await stack.stop();
  writeFileSync(out, JSON.stringify({ verdict, counts: all.counts, ledger2: ledger.counts, seconds }));
}
process.exit(0);
