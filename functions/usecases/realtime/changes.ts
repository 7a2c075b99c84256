/**
 * Which job changes clients see. A heartbeat rewrites `heartbeatAt` (and bumps `seq`) every few seconds
 * while a job runs; sending those would only cost money. A change of anything else in the job's view
 * (status, progress, result, error, attempts...) is worth a `job.updated`; internal attributes (the fencing
 * epoch, index keys) are not part of the view, so changing only them is no news either.
 */
import { type Job, toJobView } from '../../core/job.ts';

/** True when the view of `next` differs from that of `previous` only in heartbeatAt and seq. */
export function isHeartbeatOnly(previous: Job | null, next: Job): boolean {
  if (previous === null) return false;
  return canonical(previous) === canonical(next);
}

/** The view as JSON with sorted keys, without heartbeatAt/seq: equal views give equal strings. */
function canonical(job: Job): string {
  const { heartbeatAt: _heartbeatAt, seq: _seq, ...rest } = toJobView(job);
  return JSON.stringify(rest, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
