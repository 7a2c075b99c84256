/**
 * CloudWatch job metrics: a stream batch summed per tier and bounded type (core/job-metrics.ts), the EMF
 * lines Powertools Metrics writes for it (adapters/metrics/emf-metrics.ts), the environment that turns them
 * on (wiring/job-metrics.ts), and the stream consumer publishing only the changes it acknowledges.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, StreamRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import { EmfMetrics } from '../../functions/adapters/metrics/emf-metrics.ts';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import {
  type JobChangePair,
  type JobMetricGroup,
  OTHER_JOB_TYPE,
  summarizeJobChanges,
  typeBucket,
} from '../../functions/core/job-metrics.ts';
import { createStreamConsumer } from '../../functions/handlers/stream.ts';
import type { StreamChange } from '../../functions/usecases/aggregate-stats.ts';
import {
  type FanOutTotals,
  type MetricsPublisher,
  noMetrics,
  publishJobMetrics,
} from '../../functions/usecases/job-metrics.ts';
import { metricJobTypes, metricsPublisher } from '../../functions/wiring/job-metrics.ts';
import { aJob } from '../support/job-factory.ts';
import { silentLogger } from '../support/memory-store.ts';

// The stream handler module reads its environment at import.
vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'silent',
    JOBS_TABLE: 'unit-jobs',
    QUEUE_URL_CRITICAL: 'http://127.0.0.1:9/critical',
    QUEUE_URL_HIGH: 'http://127.0.0.1:9/high',
    QUEUE_URL_NORMAL: 'http://127.0.0.1:9/normal',
    QUEUE_URL_LOW: 'http://127.0.0.1:9/low',
    WEBHOOK_QUEUE_URL: 'http://127.0.0.1:9/webhooks',
  });
});

const now = Date.parse('2026-01-01T00:10:00.000Z');
const known = typeBucket(new Set(['demo']));

function started(job: Job, queueTimeMs: number): JobChangePair {
  return {
    before: job,
    after: { ...job, status: 'running', startedAt: '2026-01-01T00:01:00.000Z', queueTimeMs, attempt: 1 },
  };
}

class RecordingPublisher implements MetricsPublisher {
  groups: JobMetricGroup[] = [];
  fanOuts: FanOutTotals[] = [];
  jobs(groups: JobMetricGroup[]): void {
    this.groups.push(...groups);
  }
  fanOut(totals: FanOutTotals): void {
    this.fanOuts.push(totals);
  }
}

describe('summarizing a batch of job changes', () => {
  it('counts submissions, starts and ends per tier and type with each job’s timings', () => {
    const queued = aJob({ priority: 5 });
    const running = aJob({ priority: 5, status: 'running', startedAt: '2026-01-01T00:00:00.000Z' });
    const groups = summarizeJobChanges(
      [
        { before: undefined, after: queued },
        started(queued, 1500),
        {
          before: running,
          after: {
            ...running,
            status: 'completed',
            completedAt: '2026-01-01T00:02:00.000Z',
            executionTimeMs: 4200,
          },
        },
        { before: undefined, after: aJob({ priority: 9 }) },
      ],
      known,
      now,
    );
    expect(groups.map((group) => [group.tier, group.type])).toEqual([
      [queued.tier, 'demo'],
      [aJob({ priority: 9 }).tier, 'demo'],
    ]);
    const [normal, critical] = groups;
    expect(normal?.counts).toMatchObject({ submitted: 1, started: 1, completed: 1, failed: 0, retries: 0 });
    expect(normal?.queueTimesMs).toEqual([1500]);
    expect(normal?.executionTimesMs).toEqual([4200]);
    expect(critical?.counts.submitted).toBe(1);
  });

  it('counts types outside the allow-list as "other" (bounded cardinality)', () => {
    const groups = summarizeJobChanges(
      [
        { before: undefined, after: aJob({ type: 'scraper' }) },
        { before: undefined, after: aJob({ type: 'translator' }) },
      ],
      known,
      now,
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.type).toBe(OTHER_JOB_TYPE);
    expect(groups[0]?.counts.submitted).toBe(2);
  });

  it('counts a retry and a stale recovery (worker lost), but not heartbeats or deletions', () => {
    const running = aJob({ status: 'running', attempt: 1 });
    const lost = {
      code: 'worker_lost',
      message: 'The worker running this job stopped responding',
      retryable: true,
    };
    const groups = summarizeJobChanges(
      [
        { before: running, after: { ...running, status: 'retrying', error: { ...lost, code: 'timeout' } } },
        { before: running, after: { ...running, status: 'queued', error: lost, epoch: 2 } },
        { before: running, after: { ...running, heartbeatAt: '2026-01-01T00:05:00.000Z' } },
        { before: running, after: undefined },
      ],
      known,
      now,
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.counts).toMatchObject({ retries: 1, staleRecoveries: 1, started: 0, submitted: 0 });
  });

  it('publishes nothing for a batch where nothing happened, and survives a failing publisher', () => {
    const recording = new RecordingPublisher();
    const deps = { metrics: recording, typeBucket: known, clock: new TestClock(), logger: silentLogger };
    publishJobMetrics(deps, []);
    expect(recording.groups).toEqual([]);
    const failing: MetricsPublisher = {
      ...noMetrics,
      jobs: () => {
        throw new Error('stdout closed');
      },
    };
    expect(() =>
      publishJobMetrics({ ...deps, metrics: failing }, [{ before: undefined, after: aJob() }]),
    ).not.toThrow();
  });
});

describe('EMF lines (Powertools Metrics)', () => {
  afterEach(() => vi.restoreAllMocks());

  const emitted = (publish: (metrics: EmfMetrics) => void) => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    publish(new EmfMetrics({ namespace: 'JobQueue', service: 'job-queue-test' }));
    vi.restoreAllMocks();
    return lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  };

  it('writes one document per group with [service, tier, type] and [service, tier] dimensions', () => {
    const queued = aJob({ priority: 5 });
    const groups = summarizeJobChanges(
      [{ before: undefined, after: queued }, started(queued, 800), started(aJob({ priority: 5 }), 1200)],
      known,
      now,
    );
    const [document, ...rest] = emitted((metrics) => metrics.jobs(groups));
    expect(rest).toEqual([]);
    const directive = document._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('JobQueue');
    expect(directive.Dimensions).toEqual([
      ['service', 'tier', 'type'],
      ['service', 'tier'],
    ]);
    expect(document).toMatchObject({
      service: 'job-queue-test',
      tier: queued.tier,
      type: 'demo',
      JobsSubmitted: 1,
      JobsStarted: 2,
      QueueTime: [800, 1200],
    });
    expect(directive.Metrics).toContainEqual({ Name: 'QueueTime', Unit: 'Milliseconds' });
    // Counters that stayed at zero are left out of the line.
    expect(document).not.toHaveProperty('JobsFailed');
  });

  it('writes the fan-out of a notifier batch as one document', () => {
    const [document, ...rest] = emitted((metrics) =>
      metrics.fanOut({ changes: 3, sent: 7, gone: 1, failed: 0 }),
    );
    expect(rest).toEqual([]);
    expect(document).toMatchObject({
      FanOutChanges: 3,
      FanOutFramesSent: 7,
      FanOutConnectionsGone: 1,
      FanOutPostsFailed: 0,
    });
    expect(document._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});

describe('metrics configuration', () => {
  it('publishes nothing without a namespace (the local stack), EMF with one', () => {
    expect(metricsPublisher({})).toBe(noMetrics);
    expect(metricsPublisher({ POWERTOOLS_METRICS_NAMESPACE: 'JobQueue' })).toBeInstanceOf(EmfMetrics);
  });

  it('reads the allow-listed types and refuses more than ten', () => {
    expect([...metricJobTypes({ METRICS_JOB_TYPES: 'demo, scraper' })]).toEqual(['demo', 'scraper']);
    expect(metricJobTypes({}).size).toBe(0);
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`).join(',');
    expect(() => metricJobTypes({ METRICS_JOB_TYPES: eleven })).toThrow(/at most 10/);
  });
});

describe('the stream consumer', () => {
  const change = (sequenceNumber: string, pair: JobChangePair): StreamChange => ({
    eventId: `e-${sequenceNumber}`,
    sequenceNumber,
    ...pair,
  });

  it('publishes the metrics of the changes before the record it is retried from, not after', async () => {
    const recording = new RecordingPublisher();
    const first = aJob({ priority: 5 });
    const second = aJob({ priority: 5 });
    const changes = [change('100', { before: undefined, after: first }), change('200', started(second, 10))];
    const consume = createStreamConsumer({
      store: {} as never,
      dispatcher: {} as never,
      clock: new TestClock(),
      stats: {
        apply: async () => {
          throw Object.assign(new Error('throttled'), { sequenceNumber: '200' });
        },
      },
      jobMetrics: { metrics: recording, typeBucket: known, clock: new TestClock(), logger: silentLogger },
    });
    const records = changes.map((c) => streamRecord(c));
    const response = await consume({ Records: records });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(recording.groups.map((group) => group.counts.submitted)).toEqual([1]);
    expect(recording.groups.map((group) => group.counts.started)).toEqual([0]);
  });
});

/** A DynamoDB stream record carrying a change's images, as the stream delivers it. */
type LambdaImage = NonNullable<StreamRecord['NewImage']>;
function streamRecord(change: StreamChange): DynamoDBRecord {
  const image = (job: Job | undefined) =>
    job ? (toItem(job, { retentionDays: 30 }) as unknown as LambdaImage) : undefined;
  const job = change.after ?? change.before;
  return {
    eventID: change.eventId,
    eventName: change.before ? 'MODIFY' : 'INSERT',
    dynamodb: {
      Keys: marshall({ pk: `JOB#${job?.id}`, sk: 'JOB' }) as unknown as LambdaImage,
      ...(change.after && { NewImage: image(change.after) }),
      ...(change.before && { OldImage: image(change.before) }),
      SequenceNumber: change.sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
