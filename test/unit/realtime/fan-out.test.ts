import { beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../../functions/core/clock.ts';
import type { Job } from '../../../functions/core/job.ts';
import { type FanOutDeps, fanOut } from '../../../functions/usecases/realtime/fan-out.ts';
import type { Subscription, SubscriptionTarget } from '../../../functions/usecases/realtime/ports.ts';
import { SentLog } from '../../../functions/usecases/realtime/sent-log.ts';
import { aJob } from '../../support/job-factory.ts';
import { silentLogger } from '../../support/memory-store.ts';
import { aConnection, MemoryConnectionStore, permanent, RecordingPoster, retryable } from './fakes.ts';

const NOW = '2026-01-01T00:10:00.000Z';
let clock: TestClock;
let connections: MemoryConnectionStore;
let poster: RecordingPoster;
let deps: FanOutDeps;
/** Runs on each wait for a pending subscription (after the clock moved by the poll interval). */
let onSleep: () => Promise<void>;

beforeEach(() => {
  clock = new TestClock(NOW);
  connections = new MemoryConnectionStore();
  poster = new RecordingPoster();
  onSleep = async () => undefined;
  deps = {
    connections,
    poster,
    clock,
    logger: silentLogger,
    sleep: async (ms) => {
      clock.tick(ms);
      await onSleep();
    },
    concurrency: 4,
    pendingPollMs: 25,
    sent: new SentLog(),
  };
});

const jobTarget = (jobId: string): SubscriptionTarget => ({ kind: 'job', jobId });
const userTarget = (userId: string): SubscriptionTarget => ({ kind: 'user', userId });

async function subscribed(
  connectionId: string,
  target: SubscriptionTarget,
  overrides: Partial<Subscription> = {},
): Promise<void> {
  if (!connections.connections.has(connectionId)) await connections.open(aConnection({ connectionId }));
  await connections.subscribe({
    target,
    connectionId,
    userId: 'user-1',
    state: 'ready',
    pendingUntil: Date.parse(NOW) + 10_000,
    snapshotSeq: null,
    expiresAt: Date.parse(NOW) / 1000 + 3600,
    ...overrides,
  });
}

const change = (job: Job, eventId = `event-${job.seq}`) => ({ eventId, job });

describe('fan-out of a job change', () => {
  it('sends one job.updated per connection to the job’s and the owner’s `all` subscribers', async () => {
    const job = aJob({ id: 'job-a', userId: 'user-1', seq: 9, status: 'running' });
    await subscribed('by-job', jobTarget('job-a'), { snapshotSeq: 3 });
    await subscribed('by-all', userTarget('user-1'));
    await subscribed('both', jobTarget('job-a'), { snapshotSeq: 3 });
    await subscribed('both', userTarget('user-1'));
    await subscribed('other-job', jobTarget('job-b'));
    await subscribed('other-user', userTarget('user-2'));

    const result = await fanOut(deps, change(job));

    expect(result).toMatchObject({ sent: 3, failed: [] });
    expect(poster.posts.map((post) => post.connectionId).sort()).toEqual(['both', 'by-all', 'by-job']);
    expect(poster.framesTo('both')).toEqual([
      { type: 'job.updated', job: expect.objectContaining({ id: 'job-a', seq: 9, status: 'running' }) },
    ]);
  });

  it('never sends a change at or below the connection’s snapshot', async () => {
    await subscribed('conn', jobTarget('job-a'), { snapshotSeq: 5 });
    // `all` subscribers have no snapshot, but the job subscription of the same connection wins.
    await subscribed('conn', userTarget('user-1'));

    await fanOut(deps, change(aJob({ id: 'job-a', seq: 4 })));
    await fanOut(deps, change(aJob({ id: 'job-a', seq: 5 })));
    await fanOut(deps, change(aJob({ id: 'job-a', seq: 6 })));

    expect(poster.framesTo('conn').map((frame) => (frame.job as Job).seq)).toEqual([6]);
  });

  it('ignores subscriptions whose connection has expired (TTL deletes lag)', async () => {
    await subscribed('old', jobTarget('job-a'), { expiresAt: Date.parse(NOW) / 1000 - 1 });
    const result = await fanOut(deps, change(aJob({ id: 'job-a' })));
    expect(result.sent).toBe(0);
    expect(poster.posts).toEqual([]);
  });

  it('waits for a pending subscription to get its snapshot, then sends what is newer', async () => {
    await subscribed('conn', jobTarget('job-a'), { state: 'pending' });
    onSleep = async () => {
      // The subscriber sends the snapshot (seq 8) meanwhile, then marks the subscription ready.
      await connections.markReady(jobTarget('job-a'), 'conn', 8);
    };

    await fanOut(deps, change(aJob({ id: 'job-a', seq: 8 })));
    await fanOut(deps, change(aJob({ id: 'job-a', seq: 9 })));

    expect(poster.framesTo('conn').map((frame) => (frame.job as Job).seq)).toEqual([9]);
  });

  it('skips a pending subscription that is removed while waiting', async () => {
    await subscribed('conn', jobTarget('job-a'), { state: 'pending' });
    onSleep = () => connections.unsubscribe(jobTarget('job-a'), 'conn');

    const result = await fanOut(deps, change(aJob({ id: 'job-a', seq: 9 })));

    expect(result.skipped).toBe(1);
    expect(poster.posts).toEqual([]);
  });

  it('sends to a pending subscription whose lease ran out (its writer died)', async () => {
    await subscribed('conn', jobTarget('job-a'), { state: 'pending', pendingUntil: Date.parse(NOW) + 100 });

    const result = await fanOut(deps, change(aJob({ id: 'job-a', seq: 9 })));

    expect(result.sent).toBe(1);
    expect(clock.now().getTime() - Date.parse(NOW)).toBe(100);
  });

  it('removes a connection that is gone, with its subscriptions', async () => {
    await subscribed('gone', jobTarget('job-a'));
    await subscribed('gone', userTarget('user-1'));
    await subscribed('alive', jobTarget('job-a'));
    poster.gone.add('gone');

    const result = await fanOut(deps, change(aJob({ id: 'job-a' })));

    expect(result).toMatchObject({ sent: 1, gone: 1 });
    expect(connections.connections.has('gone')).toBe(false);
    expect(connections.all().map((s) => s.connectionId)).toEqual(['alive']);
  });

  it('reports posts worth retrying, drops those that are not, and still sends to the others', async () => {
    await subscribed('throttled', jobTarget('job-a'));
    await subscribed('refused', jobTarget('job-a'));
    await subscribed('fine', jobTarget('job-a'));
    poster.failing.set('throttled', retryable());
    poster.failing.set('refused', permanent());

    const result = await fanOut(deps, change(aJob({ id: 'job-a' })));

    expect(result).toMatchObject({ sent: 1, dropped: 1 });
    expect(result.failed).toEqual([
      { connectionId: 'throttled', error: expect.objectContaining({ retryable: true }) },
    ]);
  });

  it('does not send a retried change again to the connections that already got it', async () => {
    await subscribed('throttled', jobTarget('job-a'));
    await subscribed('fine', jobTarget('job-a'));
    poster.failing.set('throttled', retryable());
    const job = aJob({ id: 'job-a', seq: 3 });

    await fanOut(deps, change(job, 'event-1'));
    poster.failing.clear();
    const retried = await fanOut(deps, change(job, 'event-1'));

    expect(retried).toMatchObject({ sent: 1, skipped: 1, failed: [] });
    expect(poster.posts.map((post) => post.connectionId)).toEqual(['fine', 'throttled']);
  });

  it('keeps at most `concurrency` posts in flight', async () => {
    for (let i = 0; i < 12; i++) await subscribed(`conn-${i}`, jobTarget('job-a'));
    poster.delayMs = 5;

    const result = await fanOut({ ...deps, concurrency: 3 }, change(aJob({ id: 'job-a' })));

    expect(result.sent).toBe(12);
    expect(poster.peakInFlight).toBe(3);
  });
});

describe('expired connections', () => {
  it('get no frame; they are closed and forgotten', async () => {
    const expiresAt = Date.parse(NOW) / 1000 - 1; // the token expired a second ago
    await subscribed('live', userTarget('user-1'));
    await subscribed('expired', userTarget('user-1'), { expiresAt });

    const result = await fanOut(deps, change(aJob({ id: 'job-a', userId: 'user-1', seq: 1 })));

    expect(result).toMatchObject({ sent: 1, expired: 1, failed: [] });
    expect(poster.framesTo('expired')).toEqual([]);
    expect(poster.disconnected).toEqual(['expired']);
    expect(connections.connections.has('expired')).toBe(false);
    expect(await connections.subscribers(userTarget('user-1'))).toHaveLength(1);
  });
});
