/**
 * Sending one job change to everyone who follows it: the job's subscribers and its owner's `all`
 * subscribers, one frame per connection, posts in flight concurrently up to a bound.
 * - A pending subscription (its snapshot is on the way) is waited for, so the snapshot comes first.
 * - A change at or below the connection's snapshot seq is not sent.
 * - A connection that is gone (410) is removed with its subscriptions.
 * - A connection past its `expiresAt` (its token expired, or API Gateway's 2 hours are up) gets nothing: it is
 *   closed (DeleteConnection) and forgotten.
 * - A post that may succeed later fails the change (the stream record is retried; connections that already
 *   got it are skipped then); one that never can is logged and dropped.
 */
import type { Logger } from '../../agents/registry.ts';
import type { Clock } from '../../core/clock.ts';
import { type Job, toJobView } from '../../core/job.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { expireConnection } from './connections.ts';
import { jobFrame } from './frames.ts';
import {
  ConnectionPostError,
  type ConnectionPoster,
  type ConnectionStore,
  type Subscription,
} from './ports.ts';
import type { SentLog } from './sent-log.ts';
import type { WatchedUsers } from './watched-users.ts';

export interface FanOutDeps {
  connections: ConnectionStore;
  poster: ConnectionPoster;
  clock: Clock;
  logger: Logger;
  sleep(ms: number): Promise<void>;
  /** Posts in flight at once. */
  concurrency: number;
  /** How often a pending subscription is read again while its snapshot is sent. */
  pendingPollMs: number;
  sent: SentLog;
  /** Users who may have subscribers; without it every change's subscribers are queried. */
  watchers?: WatchedUsers;
}

/** A job as it is after one change; `eventId` names the change (the stream record's id). */
export interface JobChange {
  eventId: string;
  job: Job;
}

export interface FanOutResult {
  sent: number;
  skipped: number;
  gone: number;
  dropped: number;
  /** Connections closed because their token (or their 2 hours) ran out. */
  expired: number;
  /** Posts (or cleanups) that may succeed when tried again. */
  failed: Array<{ connectionId: string; error: unknown }>;
}

type Outcome = 'sent' | 'skipped' | 'gone' | 'dropped' | { error: unknown };

export async function fanOut(deps: FanOutDeps, change: JobChange): Promise<FanOutResult> {
  const { job } = change;
  const [forJob, forUser] = await Promise.all([
    deps.connections.subscribers({ kind: 'job', jobId: job.id }),
    deps.connections.subscribers({ kind: 'user', userId: job.userId }),
  ]);
  // One frame per connection. A job subscription wins over an `all` one: it carries the snapshot's seq.
  const nowSeconds = deps.clock.now().getTime() / 1000;
  const byConnection = new Map<string, Subscription>();
  const expired = new Set<string>();
  for (const subscription of [...forUser, ...forJob]) {
    if (subscription.expiresAt > nowSeconds) byConnection.set(subscription.connectionId, subscription);
    else expired.add(subscription.connectionId);
  }
  // TTL deletes lag by up to two days: close what is still open (an expired token) and drop the records.
  const expiredCount = await closeExpired(deps, [...expired]);
  const frame = jobFrame('job.updated', toJobView(job));
  const targets = [...byConnection.values()];
  const outcomes = await mapWithConcurrency(targets, deps.concurrency, (subscription) =>
    deliver(deps, subscription, change, frame).catch((error: unknown): Outcome => ({ error })),
  );
  const result: FanOutResult = {
    sent: 0,
    skipped: 0,
    gone: 0,
    dropped: 0,
    expired: expiredCount,
    failed: [],
  };
  outcomes.forEach((outcome, index) => {
    if (typeof outcome === 'string') result[outcome]++;
    else result.failed.push({ connectionId: targets[index]?.connectionId ?? '', error: outcome.error });
  });
  return result;
}

async function deliver(
  deps: FanOutDeps,
  subscription: Subscription,
  change: JobChange,
  frame: string,
): Promise<Outcome> {
  const { connectionId } = subscription;
  const ready = subscription.state === 'ready' ? subscription : await awaitReady(deps, subscription);
  if (!ready) return 'skipped';
  if (ready.snapshotSeq !== null && change.job.seq <= ready.snapshotSeq) return 'skipped';
  if (deps.sent.has(change.eventId, connectionId)) return 'skipped';
  let posted: 'sent' | 'gone';
  try {
    posted = await deps.poster.post(connectionId, frame);
  } catch (error) {
    if (!(error instanceof ConnectionPostError) || error.retryable) throw error;
    deps.logger.error('frame dropped', { connectionId, jobId: change.job.id, seq: change.job.seq, error });
    return 'dropped';
  }
  if (posted === 'gone') {
    await deps.connections.close(connectionId);
    return 'gone';
  }
  deps.sent.add(change.eventId, connectionId);
  return 'sent';
}

/** Closes connections past their expiry; a failure is logged (the next change or TTL tries again). */
async function closeExpired(deps: FanOutDeps, connectionIds: string[]): Promise<number> {
  const closed = await mapWithConcurrency(connectionIds, deps.concurrency, (connectionId) =>
    expireConnection(deps, connectionId).then(
      () => 1,
      (error: unknown) => {
        deps.logger.warn('closing an expired connection failed', { connectionId, error });
        return 0;
      },
    ),
  );
  return closed.reduce((sum: number, one) => sum + one, 0);
}

/**
 * Reads a pending subscription again until its snapshot was sent. Null when it was removed meanwhile. Past
 * its lease it is taken as it is: its writer died, and the client still wants the updates.
 */
async function awaitReady(deps: FanOutDeps, subscription: Subscription): Promise<Subscription | null> {
  let current: Subscription | null = subscription;
  while (current?.state === 'pending' && deps.clock.now().getTime() < current.pendingUntil) {
    await deps.sleep(deps.pendingPollMs);
    current = await deps.connections.subscription(subscription.target, subscription.connectionId);
  }
  return current;
}
