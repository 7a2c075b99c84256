/**
 * Races against DynamoDB Local (the unit tests run them on the in-memory store): a cancel racing the
 * completion of a running job ends in exactly one terminal state, and concurrent submissions with one
 * idempotency key create exactly one job (the others get it back; a different body is a conflict).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import { sleep } from '../../functions/agents/demo.ts';
import { createRegistry } from '../../functions/agents/index.ts';
import { command } from '../../functions/agents/registry.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { systemClock } from '../../functions/core/clock.ts';
import { type AppError, IdempotencyConflictError } from '../../functions/core/errors.ts';
import { isTerminal, type Job } from '../../functions/core/job.ts';
import type { JobStore } from '../../functions/core/ports.ts';
import type { Transition } from '../../functions/core/transitions.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { cancelJob } from '../../functions/usecases/change-job.ts';
import { runJob } from '../../functions/usecases/run-job.ts';
import { submitJob } from '../../functions/usecases/submit-job.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';
import { expectStatsToReach, startStatsCounting } from '../support/stats-stream.ts';

let store: DynamoJobStore;
const agents = createRegistry().register('race', {
  finish: command({
    description: 'finishes after `ms`',
    params: z.object({ ms: z.number() }),
    run: async ({ ms }, ctx) => {
      await sleep(ms, ctx.signal);
      return 'done';
    },
  }),
});

let counting: { stop(): Promise<void> } | undefined;

afterAll(async () => {
  await counting?.stop();
});

beforeAll(async () => {
  const tables = await provisionTables(dynamoClient(), uniquePrefix('races'));
  store = new DynamoJobStore({ client: dynamoClient(), tableName: tables.Jobs as string, retentionDays: 30 });
  counting = await startStatsCounting(tables.Jobs as string);
});

/** The store, recording which transitions were accepted. */
function recording(base: JobStore, accepted: string[]): JobStore {
  return new Proxy(base, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== 'apply') return typeof value === 'function' ? value.bind(target) : value;
      return async (job: Job, transition: Transition) => {
        const result = await target.apply(job, transition);
        if (result) accepted.push(transition.name);
        return result;
      };
    },
  });
}

const submit = (userId: string, body: Record<string, unknown>, dispatched: string[]) =>
  submitJob(
    {
      store,
      agents,
      clock: systemClock,
      logger: silentLogger,
      dispatcher: { dispatch: async (job) => void dispatched.push(job.id) },
    },
    userId,
    parseInput(submitJobSchema, body),
  );

describe('cancel racing completion (DynamoDB)', () => {
  it('ends in exactly one terminal state, whoever wins', async () => {
    const outcomes = new Set<string>();
    const jobs: Job[] = [];
    for (let round = 0; round < 16; round++) {
      const accepted: string[] = [];
      const raced = recording(store, accepted);
      const { job } = await submit(
        'racer',
        { type: 'race', command: 'finish', params: { ms: round % 4 } },
        [],
      );
      const run = runJob(
        {
          store: raced,
          agents,
          clock: systemClock,
          logger: silentLogger,
          heartbeatMs: 1,
          staleAfterMs: 60_000,
          progressIntervalMs: 1000,
        },
        { jobId: job.id, epoch: job.epoch },
        { setVisibility: async () => undefined },
        30_000,
      );
      // Cancel at a different moment each round: before the claim, while running, while completing.
      await sleep(round % 8, new AbortController().signal);
      const cancel = cancelJob({ store: raced, clock: systemClock }, 'racer', job.id).catch(
        (error: AppError) => error.code,
      );
      await Promise.all([run, cancel]);
      const final = (await store.get(job.id)) as Job;
      jobs.push(final);
      expect(isTerminal(final.status)).toBe(true);
      expect(['completed', 'cancelled']).toContain(final.status);
      const terminal = accepted.filter((name) =>
        ['complete', 'acknowledgeCancel', 'cancelWaiting'].includes(name),
      );
      expect(terminal).toHaveLength(1);
      outcomes.add(final.status);
    }
    // The counters followed every race exactly.
    const reference = new MemoryJobStore();
    for (const job of jobs) reference.jobs.set(job.id, job);
    await expectStatsToReach(
      (scope) => store.readStats(scope),
      { userId: 'racer' },
      await reference.readStats({ userId: 'racer' }),
    );
    expect(outcomes.size).toBeGreaterThanOrEqual(1);
  });
});

describe('concurrent submissions with one idempotency key (DynamoDB)', () => {
  it('creates exactly one job and hands it to every caller; another body is a conflict', async () => {
    const dispatched: string[] = [];
    const body = { type: 'demo', command: 'echo', params: { value: 1 }, idempotencyKey: 'order-42' };
    const results = await Promise.all(Array.from({ length: 10 }, () => submit('buyer', body, dispatched)));
    const ids = new Set(results.map((result) => result.job.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(dispatched).toHaveLength(1);
    expect(await store.countByUser('buyer', {})).toEqual({ count: 1, approximate: false });

    const different = { ...body, params: { value: 2 } };
    const conflicts = await Promise.all(
      Array.from({ length: 4 }, () =>
        submit('buyer', different, dispatched).then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    );
    for (const error of conflicts) expect(error).toBeInstanceOf(IdempotencyConflictError);
    // Another user's same key is another job.
    const other = await submit('someone-else', body, dispatched);
    expect(other.created).toBe(true);
    expect(other.job.id).not.toBe([...ids][0]);
  });
});
