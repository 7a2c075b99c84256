/**
 * The ports of the real-time use cases: where connections and subscriptions are kept, and how a frame
 * reaches a connection. Adapters (DynamoDB, the API Gateway management API) implement them and are passed in.
 */
import type { Job } from '../../core/job.ts';

/** What a subscription follows: one job, or every job of a user (`{"all": true}`). */
export type SubscriptionTarget = { kind: 'job'; jobId: string } | { kind: 'user'; userId: string };

export interface Connection {
  connectionId: string;
  userId: string;
  isAdmin: boolean;
  /** Epoch milliseconds, as API Gateway reports it. */
  connectedAt: number;
  /**
   * Epoch seconds at which the connection ends: API Gateway's 2-hour limit, or sooner when the token it
   * was opened with expires (the notifier and the message handler then close it).
   */
  expiresAt: number;
}

/**
 * A connection's subscription. It is `pending` from the moment it is written until its subscriber has sent
 * the first frame (the snapshot, or the `subscribed` acknowledgement); the notifier waits for `ready` before
 * sending anything, so that first frame always comes first.
 */
export interface Subscription {
  target: SubscriptionTarget;
  connectionId: string;
  userId: string;
  state: 'pending' | 'ready';
  /** Epoch milliseconds after which a pending subscription is presumed abandoned (its writer died). */
  pendingUntil: number;
  /** The seq of the snapshot the connection got; updates at or below it are never sent. Null for `all`. */
  snapshotSeq: number | null;
  /** Epoch seconds; the same as the connection's. */
  expiresAt: number;
}

export interface ConnectionStore {
  open(connection: Connection): Promise<void>;
  get(connectionId: string): Promise<Connection | null>;
  /** Removes the connection and all its subscriptions. Idempotent. */
  close(connectionId: string): Promise<void>;
  /** Writes a subscription (replacing one for the same target) if the connection is open; false if not. */
  subscribe(subscription: Subscription): Promise<boolean>;
  /** pending → ready after the first frame was sent; false when the subscription no longer exists. */
  markReady(target: SubscriptionTarget, connectionId: string, snapshotSeq: number | null): Promise<boolean>;
  /** Removes one subscription. Idempotent. */
  unsubscribe(target: SubscriptionTarget, connectionId: string): Promise<void>;
  /** Every subscription to a target; strongly consistent (sees all writes that completed before the call). */
  subscribers(target: SubscriptionTarget): Promise<Subscription[]>;
  /** One subscription, strongly consistent. */
  subscription(target: SubscriptionTarget, connectionId: string): Promise<Subscription | null>;
  /** The user's open connections that have not expired at `now` (quota check; reads at most their keys). */
  countUserConnections(userId: string, now: Date): Promise<number>;
  /** The connection's subscriptions (quota check; reads at most their keys). */
  countSubscriptions(connectionId: string): Promise<number>;
  /**
   * Marks the user as possibly having subscribers until `untilSeconds` (epoch seconds) at least; a mark only
   * ever moves later. Written before each subscription, so the notifier can skip users without any.
   */
  watch(userId: string, untilSeconds: number): Promise<void>;
  /** The user's mark (epoch seconds; 0 when none), strongly consistent. */
  watchedUntil(userId: string): Promise<number>;
}

/** Why a post failed; `retryable` decides whether the stream record is tried again. */
export class ConnectionPostError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.retryable = retryable;
  }
}

export interface ConnectionPoster {
  /** Sends one text frame: 'gone' when the connection no longer exists (410); other failures throw. */
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
  /** Closes the connection (DeleteConnection); one that is already gone is not an error. */
  disconnect(connectionId: string): Promise<void>;
}

/** Reading a job by id (any owner); the use cases check ownership. */
export interface JobReader {
  get(id: string): Promise<Job | null>;
}
