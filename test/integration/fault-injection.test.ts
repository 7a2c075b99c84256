/**
 * Faults that can break a queue, made real on the local stack (the production handlers, pollers, stream
 * consumer and maintenance sweep (which reads the dead-letter queues), on DynamoDB Local and the SQS emulator), with
 * hundreds of jobs of mixed outcomes and dependency chains that release as well as fail:
 * - zombie workers: a first run is paused (its writes and visibility extensions held back) past the stale
 *   threshold, its job recovered and re-run to the end by another worker; then the zombie resumes and
 *   tries its heartbeat, progress and outcome writes, which must all be fenced off;
 * - the same SQS message delivered again while its run is still going (lost visibility extensions);
 * - DynamoDB throttling on every SDK attempt of a request, so the error reaches the code;
 * - poison messages that reach the tier DLQ and are buried by the production maintenance run;
 * - late first messages, arriving after the lost-message sweep re-sent the job under a new epoch;
 * - durable jobs (ctx.step): steps failing in planned attempts, jobs whose invocations are limited to 9 s
 *   so they continue in fresh ones, and durable runs paused at a step-record write (zombie steps).
 * Then: every job ended as planned (none lost), none completed twice, no agent ran twice in one attempt,
 * no zombie write was accepted, no retry started before its backoff, every durable step's function ran
 * as planned and never again once stored, and the statistics equal a recount.
 * test/support/faults/ has the harness; `npm run soak` runs the same at 10,000 jobs with a restart.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { type LocalStack, startLocalStack } from '../../functions/local/stack.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { submitPlanned, userIds, waitForTerminal } from '../support/faults/drive.ts';
import { installFaults } from '../support/faults/injector.ts';
import { Ledger } from '../support/faults/ledger.ts';
import { TEST_MIX } from '../support/faults/plan.ts';
import { readAllJobs, verify } from '../support/faults/verify.ts';

const JOBS = 200;
const USERS = 5;
const jwtSecret = 'fault-test-secret-fault-test-secret';
const ledger = new Ledger();
const errors: unknown[] = [];
let stack: LocalStack;
let observer: DynamoJobStore;

beforeAll(async () => {
  process.env.PROGRESS_INTERVAL_MS = '200';
  stack = await startLocalStack({
    port: 0,
    wsPort: 0,
    jwtSecret,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    prefix: uniquePrefix('faults'),
    // Heartbeats every second; a run is presumed dead after 4 s without one (production: 20 s and 120 s).
    heartbeatSeconds: 1,
    staleAfterSeconds: 4,
    // Sweeps may take seconds on a busy machine; more often would only pile them up.
    maintenanceIntervalMs: 3000,
    // Above a poison message's time to the DLQ (10 receives x 4 s): a re-send would give it a new epoch,
    // and the dead-lettered old message would then be ignored as stale. Late first messages arrive 15 s
    // after the re-send, during the retry's backoff (TEST_MIX.lateRetryDelaySeconds, 40 s).
    lostMessageAfterSeconds: 50,
    queues: { visibilityTimeoutSeconds: 4, maxReceiveCount: 10 },
    logLevel: 'silent',
    onError: (error) => errors.push(error),
  });
  observer = new DynamoJobStore({
    client: dynamoClient(),
    tableName: stack.tables.Jobs as string,
    retentionDays: 30,
  });
  await installFaults({ ledger, observer, lateDelaySeconds: 65, zombieMaxPauseMs: 40_000 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('fault injection', () => {
  it('ends every job as planned despite zombies, redeliveries, throttles, poison and late messages', async () => {
    const started = Date.now();
    const submitted = await submitPlanned({
      httpUrl: stack.httpUrl,
      jwtSecret,
      users: USERS,
      count: JOBS,
      mix: TEST_MIX,
      concurrency: 8,
    });
    let lastLog = 0;
    const terminal = await waitForTerminal(observer, JOBS, 300_000, (n) => {
      if (process.env.FAULT_DEBUG && Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        void observer
          .readStats({ all: true })
          .then((s) => console.log(n, JSON.stringify(s.byStatus), JSON.stringify(ledger.counts)));
      }
    });
    const seconds = (Date.now() - started) / 1000;
    const jobs = await readAllJobs(dynamoClient(), stack.tables.Jobs as string);
    const verdict = await verify(jobs, ledger, observer, {
      submitted,
      users: userIds(USERS),
      requireSeenCompletions: true,
    });
    console.log(
      `fault injection: ${JSON.stringify({ jobs: JOBS, terminal, seconds, ...verdict.byStatus, ...ledger.counts, agentRuns: verdict.agentRuns, retriedRuns: verdict.retriedRuns, durable: verdict.durable })}`,
    );
    expect(verdict.problems).toEqual([]);

    // The faults really happened, and reached the code paths they are meant for.
    const { counts } = ledger;
    expect(counts.zombies).toBeGreaterThanOrEqual(10);
    expect(counts.zombieWritesFenced).toBeGreaterThanOrEqual(10);
    expect(counts.throttlesReachedCode).toBeGreaterThanOrEqual(10);
    expect(counts.throttledAttempts).toBeGreaterThan(counts.throttledRequests);
    expect(counts.redeliveredWhileHeld).toBeGreaterThanOrEqual(2);
    expect(counts.lateMessages).toBeGreaterThanOrEqual(3);
    expect(verdict.byStatus.dead).toBeGreaterThan(0);
    expect(jobs.filter((job) => job.error?.code === 'dead_lettered').length).toBeGreaterThanOrEqual(2);
    const released = jobs.filter((job) => job.dependsOn.length > 0 && job.status === 'completed');
    const failedByParent = jobs.filter((job) => job.error?.code === 'dependency_failed');
    expect(released.length).toBeGreaterThanOrEqual(15);
    expect(failedByParent.length).toBeGreaterThanOrEqual(15);
    // Durable jobs: replays after planned step failures, continuations, and fenced zombie step writes.
    const { durable } = verdict;
    expect(durable.jobs).toBeGreaterThanOrEqual(15);
    expect(durable.jobsContinued).toBeGreaterThanOrEqual(3);
    expect(durable.continuations).toBeGreaterThanOrEqual(3);
    expect(durable.plannedStepRuns).toBeGreaterThan(durable.jobs * 4);
    expect(counts.zombieStepWritesFenced).toBeGreaterThanOrEqual(1);
    expect(
      jobs.filter((job) => job.command === 'steps' && job.status === 'completed' && job.attempt > 1).length,
    ).toBeGreaterThanOrEqual(3);
  }, 420_000);
});
