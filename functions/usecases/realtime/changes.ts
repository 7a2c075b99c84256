/**
 * Which job changes clients see. A heartbeat rewrites `heartbeatAt` (and bumps `seq`) every few seconds
 * while a job runs; sending those would only cost money. Everything else (status, progress, result,
 * error, attempts...) is a change worth a `job.updated`.
 */
import type { Job } from '../../core/job.ts';

/** True when `next` differs from `previous` only in the heartbeat time and seq. */
export function isHeartbeatOnly(previous: Job | null, next: Job): boolean {
  if (previous === null) return false;
  return canonical(previous) === canonical(next);
}

/** JSON with sorted keys and without heartbeatAt/seq: equal jobs give equal strings. */
function canonical(job: Job): string {
  const { heartbeatAt: _heartbeatAt, seq: _seq, ...rest } = job;
  return JSON.stringify(rest, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
