/**
 * Which connections already got which stream record. A record that failed for one connection is retried
 * by the event source as a whole; this keeps the retry from sending it again to the others. Best effort:
 * in memory, per Lambda container, the oldest entries forgotten first.
 */
export class SentLog {
  readonly #keys = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  has(eventId: string, connectionId: string): boolean {
    return this.#keys.has(`${eventId}\u0000${connectionId}`);
  }

  add(eventId: string, connectionId: string): void {
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.values().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    this.#keys.add(`${eventId}\u0000${connectionId}`);
  }
}
