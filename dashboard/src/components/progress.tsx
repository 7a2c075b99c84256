/** A job's progress: `role="progressbar"` with `aria-valuenow` = percent (API.md "Dashboard"). */
import type { Job } from '@tiered-job-queue/client';

export function ProgressBar({ job, label }: { job: Job; label: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(job.progress.percent)));
  return (
    <div
      class="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%${job.progress.stage ? ` ${job.progress.stage}` : ''}`}
    >
      <div class="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
