/**
 * A job's durable steps, in run order: name, outcome, the attempt that ran it, when it ended, and the size of
 * a result kept in S3.
 */
import type { Job } from '@tiered-job-queue/client';
import { formatTime } from '../components/format.ts';

export function JobSteps({ job }: { job: Job }) {
  const steps = job.steps ?? [];
  return (
    <div class="steps">
      <p class="muted">
        {job.continuations > 0
          ? `Continued in a fresh invocation ${job.continuations} time${job.continuations === 1 ? '' : 's'} this attempt.`
          : 'Ran in one invocation this attempt.'}
      </p>
      <ol aria-label="Steps">
        {steps.map((step) => (
          <li key={step.name}>
            <span class="mono">{step.name}</span> <span class={`step-${step.status}`}>{step.status}</span>{' '}
            <span class="muted">
              attempt {step.attempt}, {formatTime(step.completedAt)}
              {step.resultOffloaded && `, result in S3 (${step.resultBytes ?? 0} bytes)`}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
