/**
 * Fault injection on the local stack's moving parts (DynamoDB Local, the SQS emulator, the tier pollers,
 * the stream reader, the maintenance sweep, the dead-letter consumer), running the production use cases:
 * 1,000 jobs with mixed priorities, dependencies and demo/fail settings, while worker invocations are
 * killed mid-job, messages are delivered twice and DynamoDB answers with throttling errors. Afterwards
 * every job is in the terminal state it should be in, none is lost, none completed twice, and the
 * maintained statistics equal a recount.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { parseJobMessage, SqsDispatcher } from '../../functions/adapters/sqs/dispatcher.ts';
import { createJobBatchHandler } from '../../functions/adapters/sqs/job-batch.ts';
import { createRegistry } from '../../functions/agents/index.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { isTerminal, type Job, type JobStatus } from '../../functions/core/job.ts';
import type { Dispatcher, JobStore } from '../../functions/core/ports.ts';
import { startSqsPoller } from '../../functions/local/event-source/sqs-poller.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from '../../functions/local/local-aws.ts';
import { type LocalQueues, provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { startStreamReader } from '../../functions/local/realtime/dynamodb-stream-reader.ts';
import { buryDeadLetter } from '../../functions/usecases/dead-letter.ts';
import { justFinished, settleDependants } from '../../functions/usecases/dependencies.ts';
import { recover } from '../../functions/usecases/maintenance.ts';
import { submitJob } from '../../functions/usecases/submit-job.ts';
import { TIERS, tierDefaults } from '../../infra/resources.ts';
import { dynamoClient, sqsClient, uniquePrefix } from '../support/emulators.ts';
import { eventually } from '../support/http-client.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

const JOBS = 1000;

/** Deterministic per-job dice, so the expected outcome of every job is known up front. */
const dice = (id: string, salt: string) =>
  (createHash('sha1').update(`${salt}:${id}`).digest()[0] ?? 0) / 256;

const counters = { throttles: 0, kills: 0, duplicates: 0, completions: new Map<string, number>() };
const killed = new Set<string>();

/** A DynamoDB client that answers a share of requests with a throttling error (retried by the SDK). */
function throttlingClient(rate: number): DynamoDBClient {
  const client = new DynamoDBClient({
    region,
    credentials,
    endpoint: inject('dynamodbEndpoint'),
    maxAttempts: 6,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      if (Math.random() < rate) {
        counters.throttles += 1;
        throw new ProvisionedThroughputExceededException({
          message: 'injected throttle',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectThrottles' },
  );
  return client;
}

/**
 * A store for one worker invocation that "kills" it: after `callsBeforeKill` calls every further call
 * hangs forever, as I/O does in a Lambda whose process died. Completions are counted per job.
 */
function invocationStore(base: JobStore, callsBeforeKill: number | null): JobStore {
  let calls = 0;
  const hang = () => new Promise<never>(() => undefined);
  const gate = <T>(call: () => Promise<T>): Promise<T> => {
    calls += 1;
    if (callsBeforeKill !== null && calls > callsBeforeKill) {
      if (calls === callsBeforeKill + 1) counters.kills += 1;
      return hang();
    }
    return call();
  };
  return new Proxy(base, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        gate(async () => {
          const result = await value.apply(target, args);
          if (property === 'apply' && result && (args[1] as { name: string }).name === 'complete') {
            const id = (result as Job).id;
            counters.completions.set(id, (counters.completions.get(id) ?? 0) + 1);
          }
          return result;
        });
    },
  });
}

/** Sends one in ten messages twice. */
function duplicatingDispatcher(base: Dispatcher): Dispatcher {
  return {
    async dispatch(job, options) {
      await base.dispatch(job, options);
      if (dice(`${job.id}:${job.epoch}`, 'dup') < 0.1) {
        counters.duplicates += 1;
        await base.dispatch(job, options);
      }
    },
  };
}

interface Plan {
  body: Record<string, unknown>;
  expected: JobStatus;
}

let queues: LocalQueues;
let sqs: SQSClient;
let store: DynamoJobStore;
let plainStore: DynamoJobStore;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const prefix = uniquePrefix('faults');
  sqs = sqsClient();
  const tables = await provisionTables(dynamoClient(), prefix);
  queues = await provisionQueues(sqs, prefix, { visibilityTimeoutSeconds: 3, maxReceiveCount: 15 });
  store = new DynamoJobStore({
    client: throttlingClient(0.05),
    tableName: tables.Jobs as string,
    retentionDays: 1,
  });
  plainStore = new DynamoJobStore({
    client: dynamoClient(),
    tableName: tables.Jobs as string,
    retentionDays: 1,
  });
  const dispatcher = duplicatingDispatcher(new SqsDispatcher(sqs, queues.urls));
  const agents = createRegistry();
  // Heartbeats every 0.5 s; a run is presumed dead after 8 s without one (production: 20 s and 120 s).
  const timings = { heartbeatMs: 500, staleAfterMs: 8000, progressIntervalMs: 200 };

  for (const tier of TIERS) {
    const poller = startSqsPoller({
      sqs,
      queueUrl: queues.urls[tier],
      queueArn: queues.arns[tier],
      batchSize: 1,
      maxConcurrency: tierDefaults[tier].maxConcurrency,
      waitTimeSeconds: 1,
      functionTimeoutMs: 6000,
      region,
      // Killed invocations time out here, as a dead Lambda would; that is the point of the test.
      onError: () => undefined,
      handler: (event: SQSEvent, context: Context) => {
        const message = parseJobMessage(event.Records[0]?.body ?? '');
        // Kill the first run of one job in twelve (once per job, so its expected outcome stays known).
        const kill = message && !killed.has(message.jobId) && dice(message.jobId, 'kill') < 1 / 12;
        if (kill) killed.add(message.jobId);
        // Every run makes at least three store calls (read, claim, outcome): stop it before the claim or
        // after it, with the agent's work done but not recorded.
        const callsBeforeKill = kill ? 1 + Math.floor(dice(message.jobId, 'when') * 2) : null;
        const handle = createJobBatchHandler({
          runJobDeps: {
            store: invocationStore(store, callsBeforeKill),
            agents,
            clock: systemClock,
            logger: silentLogger,
            ...timings,
          },
          sqs,
          queueUrls: queues.urls,
          logger: silentLogger,
          recordingMarginMs: 1000,
        });
        return handle(event, context);
      },
    });
    stops.push(() => poller.stop());
    const dlq = startSqsPoller({
      sqs,
      queueUrl: queues.deadLetterUrls[tier],
      queueArn: queues.deadLetterArns[tier],
      batchSize: 10,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
      functionTimeoutMs: 10_000,
      region,
      onError: () => undefined,
      handler: async (event) => {
        for (const record of event.Records) {
          const message = parseJobMessage(record.body);
          if (message) await buryDeadLetter({ store, clock: systemClock }, message, 15);
        }
      },
    });
    stops.push(() => dlq.stop());
  }
  const reader = await startStreamReader({
    dynamodb: dynamoClient(),
    streams: new DynamoDBStreamsClient({ region, credentials, endpoint: inject('dynamodbEndpoint') }),
    tableName: tables.Jobs as string,
    startingPosition: 'TRIM_HORIZON',
    pollIntervalMs: 250,
    handler: async (event) => {
      for (const record of event.Records) {
        const image = (raw: unknown) => {
          if (!raw) return undefined;
          const item = unmarshall(raw as Parameters<typeof unmarshall>[0]);
          return item.sk === 'JOB' ? (item as Job) : undefined;
        };
        const before = image(record.dynamodb?.OldImage);
        const after = image(record.dynamodb?.NewImage);
        if (justFinished(before, after))
          await settleDependants({ store, dispatcher, clock: systemClock }, after);
      }
      return { batchItemFailures: [] };
    },
  });
  stops.push(() => reader.stop());
  const sweep = setInterval(() => {
    void recover({
      store,
      dispatcher,
      clock: systemClock,
      logger: silentLogger,
      ...timings,
      lostAfterMs: 30_000,
      deadlineUrgencyMs: 0,
    });
  }, 1000);
  stops.push(async () => clearInterval(sweep));
  Object.assign(globalThis, { faultDispatcher: dispatcher });
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
});

describe('fault injection', () => {
  it('brings 1,000 jobs to their expected terminal states despite kills, duplicates and throttling', async () => {
    const started = Date.now();
    const dispatcher = (globalThis as unknown as { faultDispatcher: Dispatcher }).faultDispatcher;
    const deps = {
      store: plainStore,
      dispatcher,
      agents: createRegistry(),
      clock: systemClock,
      logger: silentLogger,
    };
    const plans = new Map<string, Plan>();
    const jobs: Job[] = [];
    const plan = (i: number): Plan => {
      const kind = i % 5;
      const common = { priority: (i % 10) + 1, retryDelaySeconds: 1 };
      if (kind === 0)
        return {
          body: { type: 'demo', command: 'echo', params: { value: i }, ...common },
          expected: 'completed',
        };
      if (kind === 1)
        return {
          body: { type: 'demo', command: 'fail', params: { times: 1 }, maxRetries: 3, ...common },
          expected: 'completed',
        };
      if (kind === 2)
        return {
          body: { type: 'demo', command: 'fail', params: { times: 5 }, maxRetries: 1, ...common },
          expected: 'dead',
        };
      if (kind === 3)
        return {
          body: { type: 'demo', command: 'fail', params: { times: 0, permanent: true }, ...common },
          expected: 'failed',
        };
      // A dependant of one or two earlier jobs of the same user: completes only if they all complete.
      const parents = [jobs[i - 7], jobs[i - 14]].filter((p): p is Job => !!p).slice(0, 1 + (i % 2));
      const expected = parents.every((parent) => plans.get(parent.id)?.expected === 'completed')
        ? 'completed'
        : 'failed';
      return {
        body: {
          type: 'demo',
          command: 'echo',
          params: { value: i },
          dependsOn: parents.map((p) => p.id),
          ...common,
        },
        expected,
      };
    };
    // Seven at a time (one per user): a dependant's parents are always in an earlier group.
    for (let group = 0; group < JOBS; group += 7) {
      const indexes = Array.from({ length: Math.min(7, JOBS - group) }, (_, k) => group + k);
      const submitted = await Promise.all(
        indexes.map(async (i) => {
          const p = plan(i);
          const { job } = await submitJob(deps, `user-${i % 7}`, parseInput(submitJobSchema, p.body));
          plans.set(job.id, p);
          return job;
        }),
      );
      jobs.push(...submitted);
    }
    const submitted = Date.now();

    // Wait on the maintained counters (one query) rather than reading 1,000 jobs a second.
    await eventually(
      async () => {
        const { byStatus } = await plainStore.readStats({ all: true });
        return byStatus.completed + byStatus.failed + byStatus.dead + byStatus.cancelled === JOBS;
      },
      240_000,
      1000,
    );
    const finals = (await Promise.all(jobs.map((job) => plainStore.get(job.id)))) as Job[];
    expect(finals.every((job) => job && isTerminal(job.status))).toBe(true);
    const finished = Date.now();

    const wrong = finals.filter((job) => job.status !== plans.get(job.id)?.expected);
    expect(
      wrong.map((job) => `${job.id} ${job.type}/${job.command} ${job.status} ${job.error?.code}`),
    ).toEqual([]);
    expect(finals).toHaveLength(JOBS);
    const completed = finals.filter((job) => job.status === 'completed');
    expect(completed.every((job) => counters.completions.get(job.id) === 1)).toBe(true);
    expect([...counters.completions.values()].every((n) => n === 1)).toBe(true);

    const reference = new MemoryJobStore();
    for (const job of finals) reference.jobs.set(job.id, job);
    expect(await plainStore.readStats({ all: true })).toEqual(await reference.readStats({ all: true }));
    for (let u = 0; u < 7; u++) {
      expect(await plainStore.readStats({ userId: `user-${u}` })).toEqual(
        await reference.readStats({ userId: `user-${u}` }),
      );
    }

    const byStatus = Object.fromEntries(
      ['completed', 'failed', 'dead'].map((s) => [s, finals.filter((j) => j.status === s).length]),
    );
    const figures = {
      jobs: JOBS,
      ...byStatus,
      killedInvocations: counters.kills,
      duplicateMessages: counters.duplicates,
      injectedThrottles: counters.throttles,
      retriedRuns: finals.reduce((sum, job) => sum + Math.max(0, job.attempt - 1), 0),
      submitSeconds: (submitted - started) / 1000,
      settleSeconds: (finished - submitted) / 1000,
    };
    console.log(`fault injection: ${JSON.stringify(figures)}`);
    expect(counters.kills).toBeGreaterThanOrEqual(25);
    expect(counters.duplicates).toBeGreaterThan(20);
    expect(counters.throttles).toBeGreaterThan(100);
  }, 300_000);
});
