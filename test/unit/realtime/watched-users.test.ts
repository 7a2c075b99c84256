/** The notifier looks for subscribers only of users with a live watch mark (watched-users.ts). */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, StreamRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { toItem } from '../../../functions/adapters/dynamodb/job-item.ts';
import { TestClock } from '../../../functions/core/clock.ts';
import type { Job } from '../../../functions/core/job.ts';
import { createNotifier } from '../../../functions/handlers/notifier.ts';
import type { Caller } from '../../../functions/usecases/realtime/connections.ts';
import { SentLog } from '../../../functions/usecases/realtime/sent-log.ts';
import { type SubscribeDeps, subscribeToAll } from '../../../functions/usecases/realtime/subscribe.ts';
import { WatchedUsers, watchUntil } from '../../../functions/usecases/realtime/watched-users.ts';
import { aJob } from '../../support/job-factory.ts';
import { silentLogger } from '../../support/memory-store.ts';
import { aConnection, MemoryConnectionStore, RecordingPoster } from './fakes.ts';

// The handler module reads its environment at import.
vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    JOBS_TABLE: 'unit-jobs',
    CONNECTIONS_TABLE: 'unit-connections',
    WS_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
  });
});

type LambdaImage = NonNullable<StreamRecord['NewImage']>;
let sequence = 0;

function changed(job: Job): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: marshall({ pk: `JOB#${job.id}`, sk: 'JOB' }) as unknown as LambdaImage,
      NewImage: toItem(job, { retentionDays: 30 }) as unknown as LambdaImage,
      SequenceNumber: String(1000 + sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const CONNECTED_AT = Date.parse('2026-01-01T00:00:00.000Z');
const caller: Caller = {
  connectionId: 'conn-1',
  userId: 'user-1',
  isAdmin: false,
  connectedAt: CONNECTED_AT,
};

let clock: TestClock;
let connections: MemoryConnectionStore;
let poster: RecordingPoster;
let subscriptionQueries: number;
let notify: ReturnType<typeof createNotifier>;

beforeEach(async () => {
  clock = new TestClock('2026-01-01T00:10:00.000Z');
  connections = new MemoryConnectionStore();
  subscriptionQueries = 0;
  const subscribers = connections.subscribers.bind(connections);
  connections.subscribers = (target) => {
    subscriptionQueries++;
    return subscribers(target);
  };
  poster = new RecordingPoster();
  notify = createNotifier({
    connections,
    poster,
    clock,
    logger: silentLogger,
    sleep: async () => undefined,
    concurrency: 4,
    pendingPollMs: 25,
    sent: new SentLog(),
    watchers: new WatchedUsers(connections, clock),
  });
  await connections.open(aConnection());
});

const subscribeDeps = (): SubscribeDeps => ({
  connections,
  poster,
  clock,
  pendingLeaseMs: 10_000,
  jobs: { get: async () => null },
});

const batch = (...jobs: Job[]) => ({ Records: jobs.map(changed) });

describe('the watch mark', () => {
  it('covers a connection for its longest life, rounded up to the hour', () => {
    expect(watchUntil(CONNECTED_AT)).toBe(CONNECTED_AT / 1000 + 7200);
    expect(watchUntil(CONNECTED_AT + 1000)).toBe(CONNECTED_AT / 1000 + 3 * 3600);
  });

  it('is written before the subscription', async () => {
    await subscribeToAll(subscribeDeps(), caller);
    expect(connections.marks.get('user-1')).toBe(watchUntil(CONNECTED_AT));
  });
});

describe('a notifier with watch marks', () => {
  it('reads one mark per user per batch and no subscribers of a user without one', async () => {
    const result = await notify(
      batch(aJob({ id: 'a', userId: 'user-2', seq: 1 }), aJob({ id: 'b', userId: 'user-2', seq: 2 })),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(connections.markReads).toBe(1);
    expect(subscriptionQueries).toBe(0);
    expect(poster.posts).toEqual([]);
  });

  it('delivers to a subscribe-all of a user who was not watched in an earlier batch (no negative cache)', async () => {
    await notify(batch(aJob({ id: 'a', userId: 'user-1', seq: 1 })));
    expect(subscriptionQueries).toBe(0);

    await subscribeToAll(subscribeDeps(), caller);
    await notify(batch(aJob({ id: 'a', userId: 'user-1', seq: 2 })));

    expect(poster.framesTo('conn-1')).toEqual([
      { type: 'subscribed', all: true },
      expect.objectContaining({ type: 'job.updated', job: expect.objectContaining({ id: 'a', seq: 2 }) }),
    ]);
  });

  it('remembers a live mark until it runs out, then reads it again', async () => {
    await subscribeToAll(subscribeDeps(), caller);
    await notify(batch(aJob({ id: 'a', userId: 'user-1', seq: 1 })));
    await notify(batch(aJob({ id: 'a', userId: 'user-1', seq: 2 })));
    expect(connections.markReads).toBe(1);

    clock.set(new Date((watchUntil(CONNECTED_AT) + 1) * 1000));
    const queriesBefore = subscriptionQueries;
    await notify(batch(aJob({ id: 'a', userId: 'user-1', seq: 3 })));

    expect(connections.markReads).toBe(2);
    expect(subscriptionQueries).toBe(queriesBefore);
  });
});
