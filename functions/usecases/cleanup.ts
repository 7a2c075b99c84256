/**
 * Retention within a time budget: deletes terminal jobs that ended more than `days` ago (with their
 * counters), through the status index, and stops when `outOfTime` says so, before the function's timeout
 * would cut it off. The returned cursor resumes where it stopped (POST /admin/cleanup?cursor=...).
 * Deleted jobs leave the index, so resuming at the start of the interrupted page skips nothing. A job's
 * params and result kept in S3 are deleted with it.
 */
import type { Logger } from '../agents/registry.ts';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import type { Job } from '../core/job.ts';
import type { PayloadStore } from '../core/payloads.ts';
import type { JobStore } from '../core/ports.ts';

const TERMINAL = ['completed', 'failed', 'cancelled', 'dead'] as const;
const PAGE = 100;

export interface CleanupRequest {
  days: number;
  /** From a previous report's nextCursor. */
  cursor?: string;
  /** Checked before every page and every delete; true stops the run with a cursor. */
  outOfTime?: () => boolean;
}

export interface CleanupReport {
  deleted: number;
  /** False when the run stopped for time; continue with nextCursor. */
  complete: boolean;
  nextCursor: string | null;
}

interface Position {
  /** Index into TERMINAL. */
  s: number;
  /** The store's cursor of the page to read next within that status. */
  c?: string;
}

const encode = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(cursor: string | undefined): Position {
  if (cursor === undefined) return { s: 0 };
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (Number.isInteger(position.s) && position.s >= 0 && position.s < TERMINAL.length)
      if (position.c === undefined || typeof position.c === 'string') return position;
  } catch {}
  throw new ValidationError([{ path: 'cursor', message: 'not a cursor this route returned' }]);
}

export interface CleanupDeps {
  store: JobStore;
  clock: Clock;
  /** Where large params and results are kept: a deleted job's objects are deleted with it. */
  payloads?: PayloadStore | undefined;
  logger?: Logger;
}

export async function cleanupWithin(deps: CleanupDeps, request: CleanupRequest): Promise<CleanupReport> {
  const before = new Date(deps.clock.now().getTime() - request.days * 86_400_000).toISOString();
  const outOfTime = request.outOfTime ?? (() => false);
  let position = decode(request.cursor);
  let deleted = 0;
  const stopAt = (at: Position): CleanupReport => ({ deleted, complete: false, nextCursor: encode(at) });
  while (position.s < TERMINAL.length) {
    const status = TERMINAL[position.s] as (typeof TERMINAL)[number];
    if (outOfTime()) return stopAt(position);
    const page = await deps.store.listByStatus(status, { until: before, limit: PAGE, cursor: position.c });
    for (const job of page.items) {
      if (outOfTime()) return stopAt(position);
      if (await deps.store.delete(job)) {
        deleted += 1;
        await deletePayloads(deps, job);
      }
    }
    position = page.nextCursor ? { s: position.s, c: page.nextCursor } : { s: position.s + 1 };
  }
  return { deleted, complete: true, nextCursor: null };
}

/**
 * After the item (so a job retried meanwhile keeps its params): a failure here leaves objects that nothing
 * refers to any more, and the bucket's lifecycle expiry removes them.
 */
async function deletePayloads(deps: CleanupDeps, job: Job): Promise<void> {
  const offloadedSteps = job.steps?.some((step) => step.resultRef !== undefined);
  if (!deps.payloads || !(job.paramsRef || job.resultRef || offloadedSteps)) return;
  await deps.payloads
    .deleteJob(job.id)
    .catch((error) => deps.logger?.warn('payloads left to the lifecycle expiry', { jobId: job.id, error }));
}
