/**
 * The limits of one run: how long the agent may run in this invocation (the job's timeout, a durable
 * command's remaining wall time across invocations, the invocation's budget), and stopping on an abort.
 */
import { JobTimeoutError } from '../core/errors.ts';
import type { Job } from '../core/job.ts';

/**
 * The time the agent gets in this invocation, and the error it is stopped with then. A durable command's
 * `timeoutSeconds` is wall time since its attempt started; any other command's counts this run only.
 */
export function runTimeLimit(
  job: Job,
  durable: boolean,
  budgetMs: number,
  nowMs: number,
): { limitMs: number; error: JobTimeoutError } {
  const timeoutMs = job.timeoutSeconds * 1000;
  const wallLeftMs = durable ? new Date(job.startedAt ?? nowMs).getTime() + timeoutMs - nowMs : timeoutMs;
  const limitMs = Math.max(0, Math.min(wallLeftMs, budgetMs));
  const seconds = wallLeftMs <= budgetMs ? job.timeoutSeconds : Math.round(limitMs / 1000);
  return { limitMs, error: new JobTimeoutError(seconds) };
}

/** Resolves with the agent's result, or rejects as soon as the signal aborts, even if the agent ignores it. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
