/**
 * The writes of durable steps and continuations against DynamoDB Local: step records round-trip through
 * their JSON attribute, a hand-off fences the old run, and only one resume of a handed-off job succeeds.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../functions/adapters/dynamodb/job-store.ts';
import type { Job } from '../../functions/core/job.ts';
import {
  cancelHandedOff,
  handOff,
  recordSteps,
  resume,
  withFinalSteps,
} from '../../functions/core/step-transitions.ts';
import type { StepRecord } from '../../functions/core/steps.ts';
import { claim, complete, heartbeat } from '../../functions/core/transitions.ts';
import { provisionTables } from '../../functions/local/provision.ts';
import { dynamoClient, uniquePrefix } from '../support/emulators.ts';
import { aJob } from '../support/job-factory.ts';

const client = dynamoClient();
let store: DynamoJobStore;
let tableName: string;

beforeAll(async () => {
  const tables = await provisionTables(client, uniquePrefix('steps'));
  tableName = tables.Jobs as string;
  store = new DynamoJobStore({ client, tableName, retentionDays: 30 });
});

const record = (name: string, result: unknown): StepRecord => ({
  name,
  status: 'completed',
  attempt: 1,
  continuation: 0,
  completedAt: '2026-02-01T00:00:00.000Z',
  durationMs: 5,
  result: JSON.stringify(result),
});

async function running(): Promise<Job> {
  const job = aJob({ userId: 'steps' });
  await store.create(job);
  const claimed = await store.apply(job, claim(job, new Date()));
  if (!claimed) throw new Error('claim failed');
  return claimed;
}

describe('durable steps in DynamoDB', () => {
  it('stores step records as one JSON attribute and drops their results when the job completes', async () => {
    const job = await running();
    const steps = [
      record('research', { deep: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] }),
    ];
    const withSteps = await store.apply(job, recordSteps(job, steps));
    expect(withSteps?.steps).toEqual(steps);
    expect(await store.get(job.id)).toMatchObject({ steps });
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `JOB#${job.id}` }, sk: { S: 'JOB' } } }),
    );
    expect(Item?.stepsJson?.S).toBe(JSON.stringify(steps));
    expect(Item?.steps).toBeUndefined();
    const finished = withFinalSteps(complete(withSteps as Job, 'ok', new Date()), steps);
    const done = await store.apply(withSteps as Job, finished);
    const { result: _result, ...withoutResult } = steps[0] as StepRecord;
    expect(done?.steps).toEqual([withoutResult]);
  });

  it('fences the old run out at a hand-off and lets exactly one message resume the job', async () => {
    const job = await running();
    const handedOff = await store.apply(job, handOff(job, new Date()));
    expect(handedOff).toMatchObject({ status: 'running', epoch: job.epoch + 1, continuations: 1 });
    expect(handedOff?.handoffAt).toEqual(expect.any(String));
    // The invocation that handed off can no longer write.
    expect(await store.apply(job, heartbeat(job, new Date()))).toBeNull();
    const resumes = await Promise.all([
      store.apply(handedOff as Job, resume(handedOff as Job, new Date())),
      store.apply(handedOff as Job, resume(handedOff as Job, new Date())),
    ]);
    expect(resumes.filter(Boolean)).toHaveLength(1);
    const resumed = await store.get(job.id);
    expect(resumed).toMatchObject({ status: 'running', epoch: job.epoch + 1, attempt: job.attempt });
    expect(resumed?.handoffAt).toBeUndefined();
    // Once resumed, the job is held: an immediate cancel no longer applies.
    expect(await store.apply(resumed as Job, cancelHandedOff(resumed as Job, new Date()))).toBeNull();
  });

  it('cancels a handed-off job at once', async () => {
    const job = await running();
    const handedOff = (await store.apply(job, handOff(job, new Date()))) as Job;
    const cancelled = await store.apply(handedOff, cancelHandedOff(handedOff, new Date()));
    expect(cancelled).toMatchObject({ status: 'cancelled', epoch: handedOff.epoch + 1 });
    expect(cancelled?.handoffAt).toBeUndefined();
  });
});
