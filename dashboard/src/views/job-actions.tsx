/** Cancel (while the job can still stop) and Retry (once it failed, died or was cancelled). */
import type { Job } from '@tiered-job-queue/client';
import { useState } from 'preact/hooks';
import { useServices } from '../data/app-context.ts';

const CANCELLABLE = new Set<Job['status']>(['pending', 'scheduled', 'queued', 'running', 'retrying']);
const RETRYABLE = new Set<Job['status']>(['failed', 'dead', 'cancelled']);

export function JobActions({ job }: { job: Job }) {
  const { client, live, report } = useServices();
  const [busy, setBusy] = useState(false);
  const act = (action: (id: string) => Promise<Job>) => {
    setBusy(true);
    action(job.id)
      .then((next) => live.merge(next), report)
      .finally(() => setBusy(false));
  };
  return (
    <div class="actions">
      <button
        type="button"
        disabled={busy || !CANCELLABLE.has(job.status)}
        onClick={() => act((id) => client.cancel(id))}
      >
        Cancel
      </button>
      <button
        type="button"
        class="primary"
        disabled={busy || !RETRYABLE.has(job.status)}
        onClick={() => act((id) => client.retry(id))}
      >
        Retry
      </button>
    </div>
  );
}
