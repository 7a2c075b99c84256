/**
 * In-memory stand-ins for the real-time ports: the same contract as the DynamoDB connection store and the
 * management API poster, with a shared log so tests can assert the order of writes and posts.
 */
import {
  type Connection,
  ConnectionPostError,
  type ConnectionPoster,
  type ConnectionStore,
  type Subscription,
  type SubscriptionTarget,
} from '../../../functions/usecases/realtime/ports.ts';

const targetKey = (target: SubscriptionTarget) =>
  target.kind === 'job' ? `job:${target.jobId}` : `user:${target.userId}`;

export class MemoryConnectionStore implements ConnectionStore {
  readonly connections = new Map<string, Connection>();
  /** target key → connection id → subscription */
  readonly subscriptions = new Map<string, Map<string, Subscription>>();

  constructor(readonly log: string[] = []) {}

  async open(connection: Connection): Promise<void> {
    this.log.push(`open ${connection.connectionId}`);
    this.connections.set(connection.connectionId, { ...connection });
  }
  async get(connectionId: string): Promise<Connection | null> {
    return this.connections.get(connectionId) ?? null;
  }
  async close(connectionId: string): Promise<void> {
    this.log.push(`close ${connectionId}`);
    for (const byConnection of this.subscriptions.values()) byConnection.delete(connectionId);
    this.connections.delete(connectionId);
  }
  async subscribe(subscription: Subscription): Promise<boolean> {
    if (!this.connections.has(subscription.connectionId)) return false;
    this.log.push(`subscribe ${targetKey(subscription.target)} ${subscription.state}`);
    const key = targetKey(subscription.target);
    const byConnection = this.subscriptions.get(key) ?? new Map<string, Subscription>();
    byConnection.set(subscription.connectionId, structuredClone(subscription));
    this.subscriptions.set(key, byConnection);
    return true;
  }
  async markReady(target: SubscriptionTarget, connectionId: string, snapshotSeq: number | null) {
    const subscription = this.subscriptions.get(targetKey(target))?.get(connectionId);
    if (!subscription) return false;
    this.log.push(`ready ${targetKey(target)} ${snapshotSeq}`);
    subscription.state = 'ready';
    subscription.snapshotSeq = snapshotSeq;
    return true;
  }
  async unsubscribe(target: SubscriptionTarget, connectionId: string): Promise<void> {
    this.log.push(`unsubscribe ${targetKey(target)}`);
    this.subscriptions.get(targetKey(target))?.delete(connectionId);
  }
  async subscribers(target: SubscriptionTarget): Promise<Subscription[]> {
    return [...(this.subscriptions.get(targetKey(target))?.values() ?? [])].map((s) => structuredClone(s));
  }
  async subscription(target: SubscriptionTarget, connectionId: string): Promise<Subscription | null> {
    const found = this.subscriptions.get(targetKey(target))?.get(connectionId);
    return found ? structuredClone(found) : null;
  }
  async countUserConnections(userId: string, now: Date): Promise<number> {
    return [...this.connections.values()].filter(
      (connection) => connection.userId === userId && connection.expiresAt > now.getTime() / 1000,
    ).length;
  }
  async countSubscriptions(connectionId: string): Promise<number> {
    return this.all().filter((subscription) => subscription.connectionId === connectionId).length;
  }
  /** userId → watch mark (epoch seconds). */
  readonly marks = new Map<string, number>();
  /** watchedUntil reads, for assertions. */
  markReads = 0;
  async watch(userId: string, untilSeconds: number): Promise<void> {
    this.log.push(`watch ${userId}`);
    this.marks.set(userId, Math.max(this.marks.get(userId) ?? 0, untilSeconds));
  }
  async watchedUntil(userId: string): Promise<number> {
    this.markReads++;
    return this.marks.get(userId) ?? 0;
  }
  /** All subscriptions, for assertions. */
  all(): Subscription[] {
    return [...this.subscriptions.values()].flatMap((byConnection) => [...byConnection.values()]);
  }
}

export interface Post {
  connectionId: string;
  frame: Record<string, unknown>;
}

export class RecordingPoster implements ConnectionPoster {
  readonly posts: Post[] = [];
  readonly gone = new Set<string>();
  /** Connection id → the error its posts throw. */
  readonly failing = new Map<string, Error>();
  inFlight = 0;
  peakInFlight = 0;
  delayMs = 0;

  constructor(readonly log: string[] = []) {}

  async post(connectionId: string, data: string): Promise<'sent' | 'gone'> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const failure = this.failing.get(connectionId);
      if (failure) throw failure;
      if (this.gone.has(connectionId)) return 'gone';
      const frame = JSON.parse(data) as Record<string, unknown>;
      this.posts.push({ connectionId, frame });
      this.log.push(`post ${connectionId} ${String(frame.type)}`);
      return 'sent';
    } finally {
      this.inFlight--;
    }
  }

  readonly disconnected: string[] = [];

  async disconnect(connectionId: string): Promise<void> {
    this.disconnected.push(connectionId);
    this.log.push(`disconnect ${connectionId}`);
  }

  framesTo(connectionId: string): Array<Record<string, unknown>> {
    return this.posts.filter((post) => post.connectionId === connectionId).map((post) => post.frame);
  }
}

export const retryable = (message = 'throttled') => new ConnectionPostError(message, true);
export const permanent = (message = 'forbidden') => new ConnectionPostError(message, false);

export const aConnection = (overrides: Partial<Connection> = {}): Connection => ({
  connectionId: 'conn-1',
  userId: 'user-1',
  isAdmin: false,
  connectedAt: Date.parse('2026-01-01T00:00:00.000Z'),
  expiresAt: Date.parse('2026-01-01T02:00:00.000Z') / 1000,
  ...overrides,
});
