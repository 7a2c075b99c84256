import { beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../../functions/core/clock.ts';
import { type Job, toJobView } from '../../../functions/core/job.ts';
import type { Caller } from '../../../functions/usecases/realtime/connections.ts';
import {
  type SubscribeDeps,
  subscribeToAll,
  subscribeToJob,
  unsubscribe,
} from '../../../functions/usecases/realtime/subscribe.ts';
import { aJob } from '../../support/job-factory.ts';
import { aConnection, MemoryConnectionStore, RecordingPoster } from './fakes.ts';

const caller: Caller = {
  connectionId: 'conn-1',
  userId: 'user-1',
  isAdmin: false,
  connectedAt: Date.parse('2026-01-01T00:00:00.000Z'),
};

let log: string[];
let connections: MemoryConnectionStore;
let poster: RecordingPoster;
let jobs: Map<string, Job>;
let deps: SubscribeDeps;

beforeEach(async () => {
  log = [];
  connections = new MemoryConnectionStore(log);
  poster = new RecordingPoster(log);
  jobs = new Map();
  deps = {
    connections,
    poster,
    clock: new TestClock('2026-01-01T00:10:00.000Z'),
    pendingLeaseMs: 10_000,
    jobs: {
      get: async (id) => {
        log.push(`read ${id}`);
        const job = jobs.get(id);
        return job ? structuredClone(job) : null;
      },
    },
  };
  await connections.open(aConnection());
  log.length = 0;
});

describe('subscribing to one job', () => {
  it('writes the subscription pending, then reads and sends the snapshot, then marks it ready', async () => {
    const job = aJob({ id: 'job-a', status: 'running', seq: 7 });
    jobs.set(job.id, job);

    await subscribeToJob(deps, caller, job.id);

    expect(log).toEqual([
      'read job-a', // ownership check: nothing is written for a foreign job
      'watch user-1', // the mark before the subscription: the notifier looks for subscribers only then
      'subscribe job:job-a pending',
      'read job-a', // the snapshot: read after the subscription exists, so no later change is missed
      'post conn-1 job.snapshot',
      'ready job:job-a 7',
    ]);
    expect(poster.framesTo('conn-1')).toEqual([{ type: 'job.snapshot', job: toJobView(job) }]);
    expect(connections.all()).toEqual([
      expect.objectContaining({
        target: { kind: 'job', jobId: 'job-a' },
        state: 'ready',
        snapshotSeq: 7,
        userId: 'user-1',
        // API Gateway's 2-hour limit, from the time the connection opened
        expiresAt: caller.connectedAt / 1000 + 7200,
        pendingUntil: Date.parse('2026-01-01T00:10:10.000Z'),
      }),
    ]);
  });

  it('answers not_found for a missing job and for another user’s job, and subscribes to nothing', async () => {
    jobs.set('job-b', aJob({ id: 'job-b', userId: 'someone-else' }));

    await subscribeToJob(deps, caller, 'job-missing');
    await subscribeToJob(deps, caller, 'job-b');

    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'error', code: 'not_found', message: 'No job job-missing' },
      { type: 'error', code: 'not_found', message: 'No job job-b' },
    ]);
    expect(connections.all()).toEqual([]);
  });

  it('removes the subscription when the job disappears before the snapshot', async () => {
    jobs.set('job-c', aJob({ id: 'job-c' }));
    let reads = 0;
    deps.jobs = { get: async (id) => (++reads === 1 ? (jobs.get(id) ?? null) : null) };

    await subscribeToJob(deps, caller, 'job-c');

    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'error', code: 'not_found', message: 'No job job-c' },
    ]);
    expect(connections.all()).toEqual([]);
  });

  it('forgets a connection that is gone when the snapshot is sent', async () => {
    jobs.set('job-d', aJob({ id: 'job-d' }));
    poster.gone.add('conn-1');

    await subscribeToJob(deps, caller, 'job-d');

    expect(connections.connections.has('conn-1')).toBe(false);
    expect(connections.all()).toEqual([]);
  });

  it('answers not_connected when the connection is no longer registered', async () => {
    jobs.set('job-e', aJob({ id: 'job-e' }));
    await connections.close('conn-1');

    await subscribeToJob(deps, caller, 'job-e');

    expect(poster.framesTo('conn-1')).toEqual([
      expect.objectContaining({ type: 'error', code: 'not_connected' }),
    ]);
    expect(connections.all()).toEqual([]);
  });

  it('removes the pending subscription and rethrows when sending the snapshot fails', async () => {
    jobs.set('job-f', aJob({ id: 'job-f' }));
    poster.failing.set('conn-1', new Error('network down'));

    await expect(subscribeToJob(deps, caller, 'job-f')).rejects.toThrow('network down');

    expect(connections.all()).toEqual([]);
  });
});

describe('subscribing to all jobs and unsubscribing', () => {
  it('acknowledges `all` before the subscription becomes ready, with no snapshot seq', async () => {
    await subscribeToAll(deps, caller);

    expect(log).toEqual([
      'watch user-1',
      'subscribe user:user-1 pending',
      'post conn-1 subscribed',
      'ready user:user-1 null',
    ]);
    expect(poster.framesTo('conn-1')).toEqual([{ type: 'subscribed', all: true }]);
    expect(connections.all()).toEqual([
      expect.objectContaining({
        target: { kind: 'user', userId: 'user-1' },
        state: 'ready',
        snapshotSeq: null,
      }),
    ]);
  });

  it('unsubscribes from a job or from all, idempotently, and acknowledges', async () => {
    jobs.set('job-g', aJob({ id: 'job-g' }));
    await subscribeToJob(deps, caller, 'job-g');
    await subscribeToAll(deps, caller);

    await unsubscribe(deps, caller, { jobId: 'job-g' });
    await unsubscribe(deps, caller, { all: true });
    await unsubscribe(deps, caller, { jobId: 'never-subscribed' });

    expect(connections.all()).toEqual([]);
    expect(poster.framesTo('conn-1').slice(-3)).toEqual([
      { type: 'unsubscribed', jobId: 'job-g' },
      { type: 'unsubscribed', all: true },
      { type: 'unsubscribed', jobId: 'never-subscribed' },
    ]);
  });
});
