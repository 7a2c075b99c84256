/** The notifier is fair across users: one user's burst of changes does not hold back another's updates. */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, StreamRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { toItem } from '../../../functions/adapters/dynamodb/job-item.ts';
import { TestClock } from '../../../functions/core/clock.ts';
import type { Job } from '../../../functions/core/job.ts';
import { createNotifier } from '../../../functions/handlers/notifier.ts';
import { SentLog } from '../../../functions/usecases/realtime/sent-log.ts';
import { aJob } from '../../support/job-factory.ts';
import { silentLogger } from '../../support/memory-store.ts';
import { aConnection, MemoryConnectionStore, RecordingPoster, retryable } from './fakes.ts';

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

let connections: MemoryConnectionStore;
let poster: RecordingPoster;
let log: string[];

beforeEach(async () => {
  log = [];
  connections = new MemoryConnectionStore();
  poster = new RecordingPoster(log);
  for (const userId of ['heavy', 'light']) {
    const connectionId = `conn-${userId}`;
    await connections.open(aConnection({ connectionId, userId }));
    await connections.subscribe({
      target: { kind: 'user', userId },
      connectionId,
      userId,
      state: 'ready',
      pendingUntil: 0,
      snapshotSeq: null,
      expiresAt: Date.parse('2026-01-01T02:00:00.000Z') / 1000,
    });
  }
});

const notifier = () =>
  createNotifier({
    connections,
    poster,
    clock: new TestClock('2026-01-01T00:10:00.000Z'),
    logger: silentLogger,
    sleep: async () => undefined,
    concurrency: 4,
    pendingPollMs: 25,
    sent: new SentLog(),
  });

const burst = (count: number) =>
  Array.from({ length: count }, (_, i) => changed(aJob({ id: `heavy-${i}`, userId: 'heavy', seq: i + 1 })));

describe('a fair notifier', () => {
  it("delivers a user's update that comes after another user's burst without waiting for the burst", async () => {
    const post = poster.post.bind(poster);
    poster.post = async (connectionId, data) => {
      if (connectionId === 'conn-heavy') await new Promise((resolve) => setTimeout(resolve, 5));
      return post(connectionId, data);
    };
    const records = [...burst(20), changed(aJob({ id: 'light-1', userId: 'light', seq: 1 }))];

    expect(await notifier()({ Records: records })).toEqual({ batchItemFailures: [] });

    const posts = log.filter((line) => line.startsWith('post '));
    expect(posts).toHaveLength(21);
    // The light user's only update went out before most of the burst.
    expect(posts.indexOf('post conn-light job.updated')).toBeLessThan(5);
    // Each user's frames stay in stream order.
    expect(poster.framesTo('conn-heavy').map((frame) => (frame.job as Job).id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `heavy-${i}`),
    );
  });

  it("still delivers other users' updates when one user's fails, and reports the failed record", async () => {
    const post = poster.post.bind(poster);
    poster.post = async (connectionId, data) => {
      if (connectionId === 'conn-heavy') throw retryable();
      return post(connectionId, data);
    };
    const records = [...burst(3), changed(aJob({ id: 'light-1', userId: 'light', seq: 1 }))];

    const response = await notifier()({ Records: records });

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }],
    });
    expect(poster.framesTo('conn-light')).toHaveLength(1);
    expect(poster.framesTo('conn-heavy')).toHaveLength(0);
  });
});
