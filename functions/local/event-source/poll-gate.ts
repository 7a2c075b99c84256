/** A paused event source mapping (./sqs-poller.ts): its loops wait here until it is resumed or stopped. */
/** Whether the loops may receive, and a way to wait until they may. */
export class PollGate {
  #paused: boolean;
  #waiters = new Set<() => void>();
  constructor(paused: boolean) {
    this.#paused = paused;
  }
  get paused(): boolean {
    return this.#paused;
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
  /** Resolves on resume, or when `signal` aborts. */
  whenResumed(signal: AbortSignal): Promise<void> {
    if (!this.#paused || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
