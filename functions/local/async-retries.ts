/**
 * Lambda's asynchronous-invocation retries for the local timers: a failed run is run again up to
 * `retryAttempts` times, after Lambda's waits (infra/resources.ts `maintenanceRetries`). The last failure
 * is thrown; stopping (the signal) cancels a pending retry quietly.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface AsyncRetryOptions {
  retryAttempts: number;
  /** Wait before each retry; the last entry repeats. */
  delaysMs: readonly number[];
  signal?: AbortSignal;
  /** Called with each failure that will be retried. */
  onRetry?: (error: unknown, attempt: number) => void;
}

export function withAsyncRetries<T>(
  run: () => Promise<T>,
  options: AsyncRetryOptions,
): () => Promise<T | undefined> {
  return async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= options.retryAttempts) throw error;
        options.onRetry?.(error, attempt + 1);
        const delay = options.delaysMs[Math.min(attempt, options.delaysMs.length - 1)] ?? 0;
        try {
          await sleep(delay, undefined, options.signal ? { signal: options.signal } : {});
        } catch {
          return undefined; // stopped while waiting: the retry is abandoned, as on shutdown
        }
      }
    }
  };
}
