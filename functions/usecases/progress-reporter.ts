/**
 * Coalesces an agent's progress calls into at most one write per interval, plus one at every stage change.
 * Writes run one at a time in call order; the last reported value is always written (trailing write).
 */
import type { JobProgress } from '../core/job.ts';

export class ProgressReporter {
  readonly #write: (progress: JobProgress) => Promise<void>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #lastStage: string | null | undefined;
  #pending: JobProgress | null = null;
  #latest: JobProgress | null = null;
  #timer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(write: (progress: JobProgress) => Promise<void>, intervalMs: number, now: () => number) {
    this.#write = write;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  report(percent: number, stage?: string | null, message?: string | null): void {
    if (this.#closed) return;
    const progress: JobProgress = {
      percent: Math.min(100, Math.max(0, Number.isFinite(percent) ? Math.round(percent * 100) / 100 : 0)),
      stage: stage ?? null,
      message: message ?? null,
    };
    this.#pending = progress;
    this.#latest = progress;
    const stageChanged = this.#lastStage !== undefined && progress.stage !== this.#lastStage;
    const due = this.#now() - this.#lastWriteAt >= this.#intervalMs;
    if (stageChanged || due) {
      this.#flushPending();
    } else if (!this.#timer) {
      const wait = Math.max(0, this.#intervalMs - (this.#now() - this.#lastWriteAt));
      this.#timer = setTimeout(() => this.#flushPending(), wait);
    }
  }

  #flushPending(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const progress = this.#pending;
    if (!progress) return;
    this.#pending = null;
    this.#lastWriteAt = this.#now();
    this.#lastStage = progress.stage;
    // A failed write must not stop later ones; the writer logs its own failures.
    this.#chain = this.#chain.then(() => this.#write(progress)).catch(() => undefined);
  }

  /** The last progress reported, written or not (null: none); the run's final write carries it. */
  get latest(): JobProgress | null {
    return this.#latest;
  }

  /**
   * Stops reporting; waits for writes already started. Unwritten progress is not written here: the final
   * write of the run carries `latest` instead (one write, not two).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
    await this.#chain;
  }
}
