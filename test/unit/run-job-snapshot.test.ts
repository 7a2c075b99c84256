/**
 * A first delivery claims (or resumes) from its message's snapshot without reading the job; a stale snapshot
 * goes on with the item the failed write returns; every other delivery reads first. The outcome is always
 * the one a read would have led to: only the path differs.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobMessageBody, parseJobMessage } from '../../functions/adapters/sqs/dispatcher.ts';
import { AgentRegistry, command } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { cancelWaiting, requestCancel } from '../../functions/core/control-transitions.ts';
import type { Job } from '../../functions/core/job.ts';
import { parseSnapshot, snapshotOf, startFromSnapshot } from '../../functions/core/job-snapshot.ts';
import { type JobDelivery, runJob } from '../../functions/usecases/run-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';
import { testRunJobDeps } from '../support/run-job-deps.ts';

const NOW = '2026-05-01T00:00:00.000Z';

function setup() {
  const store = new MemoryJobStore();
  const clock = new TestClock(NOW);
  const calls = { count: 0 };
  const agents = new AgentRegistry().register('t', {
    go: command({
      description: 'test agent',
      params: z.object({}),
      run: async () => {
        calls.count += 1;
        return { done: true };
      },
    }),
  });
  const deps = testRunJobDeps({ store, agents, clock, heartbeatMs: 60_000 });
  const control = { setVisibility: async () => undefined };
  const run = (delivery: JobDelivery) => runJob(deps, delivery, control, 60_000);
  /** Runs the message a dispatcher sends for `sent`, on its `receiveCount`th delivery. */
  const deliver = (sent: Job, receiveCount?: number) =>
    run({ jobId: sent.id, epoch: sent.epoch, snapshot: snapshotOf(sent), receiveCount });
  return { store, clock, calls, run, deliver };
}

const aTJob = (overrides: Partial<Job> = {}) => aJob({ type: 't', command: 'go', params: {}, ...overrides });

describe('a first delivery with a snapshot', () => {
  it('claims without reading the job, then runs it', async () => {
    const { store, calls, deliver } = setup();
    const queued = aTJob();
    await store.create(queued);
    const outcome = await deliver(queued, 1);
    expect(outcome).toMatchObject({ kind: 'finished', job: { status: 'completed', attempt: 1 } });
    expect(store.getCalls).toBe(0);
    expect(store.applied).toEqual(['claim', 'complete']);
    expect(calls.count).toBe(1);
  });

  it('with a stale snapshot goes on with the returned item, without a read', async () => {
    const { store, deliver } = setup();
    const sent = aTJob();
    await store.create(sent);
    // A write after the send that leaves the job claimable (status, epoch and attempt unchanged).
    await store.apply(sent, { name: 'touch', expect: { status: ['queued'] }, set: { dispatchedAt: NOW } });
    const outcome = await deliver(sent, 1);
    expect(outcome).toMatchObject({ kind: 'finished', job: { status: 'completed', seq: 4 } });
    expect(store.getCalls).toBe(0);
    expect(store.applied).toEqual(['touch', 'claim', 'complete']);
  });

  it('of a job cancelled before the claim drops the message, without a read and without running', async () => {
    const { store, calls, deliver, clock } = setup();
    const sent = aTJob();
    await store.create(sent);
    await store.apply(sent, cancelWaiting(sent, clock.now()));
    expect(await deliver(sent, 1)).toMatchObject({ kind: 'dropped', reason: 'stale epoch' });
    expect(store.getCalls).toBe(0);
    expect(calls.count).toBe(0);
    expect((await store.get(sent.id))?.status).toBe('cancelled');
  });

  it('of a job that no longer exists drops the message', async () => {
    const { store, deliver } = setup();
    expect(await deliver(aTJob(), 1)).toEqual({ kind: 'dropped', reason: 'no such job' });
    expect(store.getCalls).toBe(0);
  });

  it('runs a job once when two copies of the message arrive at once', async () => {
    const { store, calls, deliver } = setup();
    const queued = aTJob();
    await store.create(queued);
    const outcomes = await Promise.all([deliver(queued, 1), deliver(queued, 1)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['dropped', 'finished']);
    expect(calls.count).toBe(1);
  });

  it('resumes a handed-off job without a read, and acknowledges a cancel that came in between', async () => {
    const { store, calls, deliver } = setup();
    const handedOff = aTJob({ status: 'running', attempt: 1, epoch: 2, handoffAt: NOW, startedAt: NOW });
    await store.create(handedOff);
    expect(await deliver(handedOff, 1)).toMatchObject({ kind: 'finished', job: { status: 'completed' } });
    expect(store.applied).toEqual(['resume', 'complete']);
    expect(store.getCalls).toBe(0);

    const cancelled = aTJob({ status: 'running', attempt: 1, epoch: 2, handoffAt: NOW, startedAt: NOW });
    await store.create(cancelled);
    await store.apply(cancelled, requestCancel(cancelled));
    expect(await deliver(cancelled, 1)).toMatchObject({ kind: 'finished', job: { status: 'cancelled' } });
    expect(calls.count).toBe(1);
    expect(store.getCalls).toBe(0);
  });
});

describe('a delivery that reads the job first', () => {
  it('is any delivery after the first, and one whose receive count is unknown', async () => {
    const { store, deliver } = setup();
    const [second, unknown] = [aTJob(), aTJob()];
    for (const queued of [second, unknown]) await store.create(queued);
    expect(await deliver(second, 2)).toMatchObject({ kind: 'finished' });
    expect(store.getCalls).toBe(1);
    expect(await deliver(unknown, undefined)).toMatchObject({ kind: 'finished' });
    expect(store.getCalls).toBe(2);
  });

  it('is a snapshot whose deadline passed: the job fails with deadline_exceeded', async () => {
    const { store, deliver } = setup();
    const late = aTJob({ deadline: '2026-04-30T23:59:59.000Z' });
    await store.create(late);
    expect(await deliver(late, 1)).toMatchObject({
      kind: 'finished',
      job: { status: 'failed', error: { code: 'deadline_exceeded' } },
    });
    expect(store.getCalls).toBe(1);
  });

  it('is a snapshot not due yet (a backoff): the message is hidden for the time left', async () => {
    const { store, deliver, calls } = setup();
    const early = aTJob({ status: 'retrying', attempt: 1, queuedAt: '2026-05-01T00:00:20.000Z' });
    await store.create(early);
    expect(await deliver(early, 1)).toMatchObject({ kind: 'early', delaySeconds: 20 });
    expect(store.getCalls).toBe(1);
    expect(calls.count).toBe(0);
  });

  it('is a snapshot of a job that waits for no worker, or one not of this message', async () => {
    const { store, deliver, run } = setup();
    const cancelled = aTJob({ status: 'cancelled' });
    await store.create(cancelled);
    expect(await deliver(cancelled, 1)).toEqual({ kind: 'dropped', reason: 'job is cancelled' });
    expect(store.getCalls).toBe(1);
    const queued = aTJob();
    await store.create(queued);
    const snapshot = { ...snapshotOf(queued), epoch: 0 };
    const outcome = await run({ jobId: queued.id, epoch: 1, snapshot, receiveCount: 1 });
    expect(outcome).toMatchObject({ kind: 'finished', job: { status: 'completed' } });
    expect(store.getCalls).toBe(2);
  });
});

describe('the snapshot in a job message', () => {
  it('survives the message body; a body without one, or with a broken one, has none', () => {
    const queued = aTJob({ resends: 1, deadline: '2027-01-01T00:00:00.000Z' });
    expect(parseJobMessage(jobMessageBody(queued))).toEqual({
      jobId: queued.id,
      epoch: 1,
      snapshot: snapshotOf(queued),
    });
    expect(parseJobMessage(JSON.stringify({ jobId: 'a', epoch: 1 }))).toEqual({ jobId: 'a', epoch: 1 });
    const broken = { ...snapshotOf(queued), seq: '1' };
    expect(parseJobMessage(JSON.stringify({ jobId: 'a', epoch: 1, snapshot: broken }))).toEqual({
      jobId: 'a',
      epoch: 1,
    });
    expect(parseSnapshot({ ...snapshotOf(queued), status: 'napping' })).toBeUndefined();
    expect(parseSnapshot({ ...snapshotOf(queued), deadline: 5 })).toBeUndefined();
  });

  it('holds only the fields a start needs, and pins the start to its seq', () => {
    const queued = aTJob({ seq: 7, params: { big: 'x'.repeat(1000) } });
    const snapshot = snapshotOf(queued);
    expect(Object.keys(snapshot)).not.toContain('params');
    expect(JSON.stringify(snapshot).length).toBeLessThan(400);
    expect(startFromSnapshot(snapshot, new Date(NOW))?.expect).toMatchObject({
      status: ['queued', 'retrying'],
      epoch: 1,
      attempt: 0,
      seq: 7,
    });
  });
});
