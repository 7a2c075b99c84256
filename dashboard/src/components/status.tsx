/** A job's status as a word with a colour; the word itself is what people and tests read. */
import type { JobStatus } from '@tiered-job-queue/client';

export function StatusBadge({ status }: { status: JobStatus }) {
  return <span class={`status status-${status}`}>{status}</span>;
}
