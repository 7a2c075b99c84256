/**
 * Which users may have subscribers: the notifier's cheap test before it queries a change's subscribers.
 *
 * Every subscription, to one job or to all of a user's jobs, is preceded by a watch mark on its user
 * (`ConnectionStore.watch`): "this user may have subscribers until <epoch s>", the longest the connection can
 * live (API Gateway's 2 hours from its connect), rounded up to the hour so a user's next connections in that
 * hour find the mark in place. A connection only follows its own user's jobs, so a user without a live mark
 * has no subscriber to any of their jobs, present or future, and their changes need no subscriber query.
 *
 * Why no update is lost: a subscriber gets the changes above its snapshot, which it reads after writing its
 * pending subscription, which comes after the mark. So each such change was written after the mark; its
 * stream record reaches the notifier after that write, and the notifier reads the mark (strongly
 * consistent) after receiving the batch: it sees the mark. A mark only moves later, so a live mark is cached
 * until it runs out; "no mark" is never cached beyond the batch it was read for.
 */
import type { Clock } from '../../core/clock.ts';
import { MAX_CONNECTION_SECONDS } from './connections.ts';
import type { ConnectionStore } from './ports.ts';

const HOUR_SECONDS = 3600;

/** The mark a subscription from a connection opened at `connectedAt` (epoch ms) needs, in epoch seconds. */
export const watchUntil = (connectedAt: number): number =>
  Math.ceil((connectedAt / 1000 + MAX_CONNECTION_SECONDS) / HOUR_SECONDS) * HOUR_SECONDS;

/** Users whose live marks are remembered at most, per container (past it, the oldest are dropped). */
const MAX_REMEMBERED = 10_000;

export class WatchedUsers {
  readonly #store: Pick<ConnectionStore, 'watchedUntil'>;
  readonly #clock: Clock;
  /** userId → a live mark seen (epoch seconds); only ever true facts until then. */
  readonly #until = new Map<string, number>();

  constructor(store: Pick<ConnectionStore, 'watchedUntil'>, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Whether the user may have subscribers now. Call it once per user per stream batch, after receiving it. */
  async has(userId: string): Promise<boolean> {
    const now = this.#clock.now().getTime() / 1000;
    const known = this.#until.get(userId);
    if (known !== undefined && known > now) return true;
    const until = await this.#store.watchedUntil(userId);
    this.#until.delete(userId);
    if (until <= now) return false;
    if (this.#until.size >= MAX_REMEMBERED) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    this.#until.set(userId, until);
    return true;
  }
}
