/** `JobsClient.wait`: the terminal version of one job, over the WebSocket (polling when it cannot connect). */
import { JobsApiError } from './errors.ts';
import type { Job } from './types.ts';
import type { WatchHandle, WatchOptions, WatchTarget } from './watch.ts';

export interface WaitOptions extends Omit<WatchOptions, 'onError'> {
  /** Reject with JobsApiError `timeout` after this long (default: no limit). */
  timeoutMs?: number;
  /** Abort waiting; rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What waiting needs of the client. */
interface Watcher {
  watch(target: WatchTarget, onJob: (job: Job) => void, options?: WatchOptions): WatchHandle;
  get(id: string): Promise<Job>;
}

export function waitForJob(client: Watcher, id: string, options: WaitOptions): Promise<Job> {
  const { timeoutMs, signal, ...watchOptions } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const handle = client.watch(id, () => undefined, watchOptions);
  return new Promise<Job>((resolve, reject) => {
    const stop = (error: unknown) => {
      handle.close();
      reject(error);
    };
    const onAbort = () => stop(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => stop(new JobsApiError(0, 'timeout', `job ${id} did not finish within ${timeoutMs} ms`)),
            timeoutMs,
          );
    handle.done
      // Events leave a large result out: read the whole job then.
      .then((job) => (job?.resultTruncated ? client.get(id) : job))
      .then((job) => (job ? resolve(job) : undefined), reject)
      .finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
  });
}
