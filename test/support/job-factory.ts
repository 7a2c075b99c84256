/** Builds jobs for tests: sensible defaults, override what the test is about. */
import type { Job } from '../../functions/core/job.ts';
import { tierForPriority } from '../../functions/core/tiers.ts';

let counter = 0;

export function aJob(overrides: Partial<Job> = {}): Job {
  counter += 1;
  const priority = overrides.priority ?? 5;
  return {
    id: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    userId: 'user-1',
    type: 'demo',
    command: 'echo',
    params: { value: counter },
    priority,
    tier: tierForPriority(priority),
    status: 'queued',
    progress: { percent: 0, stage: null, message: null },
    attempt: 0,
    maxRetries: 3,
    retryDelaySeconds: 30,
    timeoutSeconds: 300,
    result: null,
    error: null,
    runAt: null,
    deadline: null,
    dependsOn: [],
    idempotencyKey: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter % 60, counter)).toISOString(),
    queuedAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    heartbeatAt: null,
    completedAt: null,
    queueTimeMs: null,
    executionTimeMs: null,
    seq: 1,
    epoch: 1,
    ...overrides,
  };
}
