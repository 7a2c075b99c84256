/**
 * Subscribing and unsubscribing. The one rule: a subscriber's first frame (the snapshot, or the `subscribed`
 * acknowledgement) reaches the client before any update, and no update at or below the snapshot's seq
 * follows it. How:
 * 0. The user's watch mark is moved to cover the connection's life (watched-users.ts).
 * 1. The subscription is written `pending`. From then on the notifier finds it for every later change, and
 *    holds back its frame for this connection until the subscription is `ready`.
 * 2. The job is read (strongly consistent) and sent as the snapshot. A change after that read has a higher
 *    seq, and its stream record is processed after step 1, so it is not lost.
 * 3. The subscription becomes `ready` with the snapshot's seq; the notifier sends what is above it, in order.
 */
import type { Clock } from '../../core/clock.ts';
import { type Job, toJobView } from '../../core/job.ts';
import { type Caller, expiresAtFor } from './connections.ts';
import { errorFrame, jobFrame, type ServerFrame } from './frames.ts';
import type { ConnectionPoster, ConnectionStore, JobReader, SubscriptionTarget } from './ports.ts';
import { watchUntil } from './watched-users.ts';

export interface SubscribeDeps {
  connections: ConnectionStore;
  poster: ConnectionPoster;
  jobs: JobReader;
  clock: Clock;
  /** The longest a pending subscription holds back the notifier, should its writer die half way. */
  pendingLeaseMs: number;
  /** Subscriptions one connection may hold; past it `subscribe` answers a `quota_exceeded` error frame. */
  maxSubscriptionsPerConnection?: number | undefined;
}

/** Sends a frame to a connection; a connection that is gone is forgotten. False when it was gone. */
export async function reply(
  deps: Pick<SubscribeDeps, 'connections' | 'poster'>,
  connectionId: string,
  frame: ServerFrame | string,
): Promise<boolean> {
  const outcome = await deps.poster.post(
    connectionId,
    typeof frame === 'string' ? frame : JSON.stringify(frame),
  );
  if (outcome === 'sent') return true;
  await deps.connections.close(connectionId);
  return false;
}

const notFound = (jobId: string) => errorFrame('not_found', `No job ${jobId}`);

async function ownJob(jobs: JobReader, userId: string, jobId: string): Promise<Job | null> {
  const job = await jobs.get(jobId);
  // Another user's job is indistinguishable from a missing one.
  return job && job.userId === userId ? job : null;
}

/** `{"action": "subscribe", "jobId"}`: `job.snapshot`, then `job.updated` for every later change. */
export async function subscribeToJob(deps: SubscribeDeps, caller: Caller, jobId: string): Promise<void> {
  // Checked before anything is written: a missing or foreign job subscribes to nothing.
  if (!(await ownJob(deps.jobs, caller.userId, jobId))) {
    await reply(deps, caller.connectionId, notFound(jobId));
    return;
  }
  await withPendingSubscription(deps, caller, { kind: 'job', jobId }, async () => {
    const job = await ownJob(deps.jobs, caller.userId, jobId);
    if (!job) {
      await reply(deps, caller.connectionId, notFound(jobId));
      return null;
    }
    const sent = await reply(deps, caller.connectionId, jobFrame('job.snapshot', toJobView(job)));
    return sent ? { snapshotSeq: job.seq } : null;
  });
}

/** `{"action": "subscribe", "all": true}`: `subscribed`, then `job.updated` for every job of the user. */
export async function subscribeToAll(deps: SubscribeDeps, caller: Caller): Promise<void> {
  await withPendingSubscription(deps, caller, { kind: 'user', userId: caller.userId }, async () =>
    (await reply(deps, caller.connectionId, { type: 'subscribed', all: true }))
      ? { snapshotSeq: null }
      : null,
  );
}

/** `{"action": "unsubscribe", ...}`: idempotent; acknowledged with `unsubscribed`. */
export async function unsubscribe(
  deps: Pick<SubscribeDeps, 'connections' | 'poster'>,
  caller: Caller,
  what: { jobId: string } | { all: true },
): Promise<void> {
  const target: SubscriptionTarget =
    'jobId' in what ? { kind: 'job', jobId: what.jobId } : { kind: 'user', userId: caller.userId };
  await deps.connections.unsubscribe(target, caller.connectionId);
  await reply(deps, caller.connectionId, { type: 'unsubscribed', ...what });
}

/**
 * Writes the subscription `pending`, lets `sendFirst` send the first frame, then marks it `ready`.
 * `sendFirst` returns null when nothing was sent; the subscription is then removed.
 */
async function withPendingSubscription(
  deps: SubscribeDeps,
  caller: Caller,
  target: SubscriptionTarget,
  sendFirst: () => Promise<{ snapshotSeq: number | null } | null>,
): Promise<void> {
  if (await overQuota(deps, caller, target)) {
    const limit = deps.maxSubscriptionsPerConnection;
    const message = `This connection has ${limit} subscriptions, the limit; unsubscribe first or open another connection`;
    await reply(deps, caller.connectionId, errorFrame('quota_exceeded', message));
    return;
  }
  // The mark first: the notifier looks for a user's subscribers only while their mark is live.
  await deps.connections.watch(caller.userId, watchUntil(caller.connectedAt));
  const written = await deps.connections.subscribe({
    target,
    connectionId: caller.connectionId,
    userId: caller.userId,
    state: 'pending',
    pendingUntil: deps.clock.now().getTime() + deps.pendingLeaseMs,
    snapshotSeq: null,
    expiresAt: expiresAtFor(caller.connectedAt, caller.tokenExpiresAt),
  });
  if (!written) {
    await reply(
      deps,
      caller.connectionId,
      errorFrame('not_connected', 'This connection is closed; reconnect'),
    );
    return;
  }
  let first: { snapshotSeq: number | null } | null;
  try {
    first = await sendFirst();
  } catch (error) {
    // The original error is what matters; should this cleanup fail too, the pending lease runs out.
    await deps.connections.unsubscribe(target, caller.connectionId).catch(() => undefined);
    throw error;
  }
  if (first === null) {
    await deps.connections.unsubscribe(target, caller.connectionId);
    return;
  }
  await deps.connections.markReady(target, caller.connectionId, first.snapshotSeq);
}

/** Re-subscribing to a target the connection already has replaces it, so it never counts against the cap. */
async function overQuota(deps: SubscribeDeps, caller: Caller, target: SubscriptionTarget): Promise<boolean> {
  const limit = deps.maxSubscriptionsPerConnection;
  if (limit === undefined) return false;
  if ((await deps.connections.countSubscriptions(caller.connectionId)) < limit) return false;
  return (await deps.connections.subscription(target, caller.connectionId)) === null;
}
