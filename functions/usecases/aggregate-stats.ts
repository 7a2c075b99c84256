/**
 * Statistics from the table stream: each batch of job changes (old image → new image) is summed into the
 * counters (`GET /queue/stats`, `GET /jobs/count`, the per-user quota) and the metric rollups
 * (`GET /queue/metrics`) and applied with one write per touched item, exactly once per stream record.
 * The counters therefore lag the jobs by the stream's delay plus the consumer's batching window (README).
 */
import type { Job } from '../core/job.ts';

export interface StreamChange {
  eventId: string;
  sequenceNumber: string;
  before: Job | undefined;
  after: Job | undefined;
}

/** Port: applies changes of one stream shard, in order, skipping any an earlier delivery applied. */
export interface StatsRecorder {
  apply(changes: StreamChange[]): Promise<{ chunks: number; skipped: number }>;
}

/**
 * Counts the changes the consumer acknowledges (those before `failedAt`, its first unfinished record).
 * Resolves with the sequence number to retry from when the statistics could not be committed, or null.
 */
export async function countChanges(
  recorder: StatsRecorder,
  changes: StreamChange[],
): Promise<{ retryFrom: string | null; error?: unknown }> {
  try {
    await recorder.apply(changes);
    return { retryFrom: null };
  } catch (error) {
    const retryFrom =
      error && typeof error === 'object' && 'sequenceNumber' in error
        ? String(error.sequenceNumber)
        : (changes[0]?.sequenceNumber ?? null);
    return { retryFrom, error };
  }
}
