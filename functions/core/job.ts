/**
 * The job model: every status of the public contract, the internal record, and the public view.
 * Pure data; no AWS SDK here.
 */
import type { PayloadRef } from './payloads.ts';
import { type StepRecord, type StepView, toStepView } from './steps.ts';
import type { Tier } from './tiers.ts';

export const JOB_STATUSES = [
  'pending',
  'scheduled',
  'queued',
  'running',
  'retrying',
  'cancelling',
  'completed',
  'failed',
  'cancelled',
  'dead',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'dead',
]);
export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.has(status);

export interface JobProgress {
  percent: number;
  stage: string | null;
  message: string | null;
}

export interface JobErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}

/** The stored job: the public view plus the owner, the fencing epoch and the retry settings. */
export interface Job {
  id: string;
  userId: string;
  type: string;
  command: string;
  /** null when the params are kept in the payload store (`paramsRef`). */
  params: Record<string, unknown> | null;
  priority: number;
  tier: Tier;
  status: JobStatus;
  progress: JobProgress;
  attempt: number;
  maxRetries: number;
  retryDelaySeconds: number;
  timeoutSeconds: number;
  result: unknown;
  error: JobErrorInfo | null;
  runAt: string | null;
  deadline: string | null;
  dependsOn: string[];
  idempotencyKey: string | null;
  /** The schedule that started the job (absent: submitted directly). */
  scheduleId?: string | null;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  heartbeatAt: string | null;
  completedAt: string | null;
  queueTimeMs: number | null;
  executionTimeMs: number | null;
  /** Grows with every change; WebSocket clients order updates by it. */
  seq: number;
  /** Fencing token: bumped whenever the job is (re)dispatched, so stale messages cannot claim it. */
  epoch: number;
  /** When its current message was sent (internal; lets maintenance re-send a lost one). */
  dispatchedAt?: string | null;
  /** `attempt` when the retry budget was last renewed by a retry or redrive (internal; absent: 0). */
  retryBase?: number;
  /** Re-sends of a possibly lost message since the last claim (internal; absent: 0; lost-messages.ts). */
  resends?: number;
  /** The durable steps run so far, in run order, with their stored results (core/steps.ts; absent: none). */
  steps?: StepRecord[];
  /** Hand-offs to a fresh invocation in the current attempt (absent: 0). */
  continuations?: number;
  /** When the job was handed to a fresh invocation that has not resumed it yet (internal; absent: held). */
  handoffAt?: string;
  /** Where the params are when too large for the item (internal; core/payloads.ts). */
  paramsRef?: PayloadRef | null;
  /** Where the result is when too large for the item (internal; core/payloads.ts). */
  resultRef?: PayloadRef | null;
}

/** Everything but the owner and the fencing epoch; `retryDelaySeconds` is an extension of the contract. */
export type JobView = Omit<
  Job,
  | 'userId'
  | 'epoch'
  | 'dispatchedAt'
  | 'retryBase'
  | 'resends'
  | 'scheduleId'
  | 'steps'
  | 'continuations'
  | 'handoffAt'
  | 'paramsRef'
  | 'resultRef'
> & {
  scheduleId: string | null;
  steps: StepView[];
  continuations: number;
  /** Present (true) when `params` is null because they are kept in S3: GET /jobs/{id}/params. */
  paramsTruncated?: true;
  /** Present (true) when `result` is null because it is kept in S3: GET /jobs/{id}/result. */
  resultTruncated?: true;
};

/** The JSON shape of a job everywhere (API.md "Job view"); internal fields stay internal. */
export function toJobView(job: Job): JobView {
  // Built field by field: a stable key order (DynamoDB returns attributes in no order) and no internals.
  return {
    id: job.id,
    type: job.type,
    command: job.command,
    params: job.paramsRef ? null : job.params,
    ...(job.paramsRef && { paramsTruncated: true as const }),
    priority: job.priority,
    tier: job.tier,
    status: job.status,
    progress: {
      percent: job.progress.percent,
      stage: job.progress.stage ?? null,
      message: job.progress.message ?? null,
    },
    attempt: job.attempt,
    maxRetries: job.maxRetries,
    retryDelaySeconds: job.retryDelaySeconds,
    result: job.resultRef ? null : (job.result ?? null),
    ...(job.resultRef && { resultTruncated: true as const }),
    error: job.error ?? null,
    runAt: job.runAt ?? null,
    deadline: job.deadline ?? null,
    dependsOn: job.dependsOn ?? [],
    idempotencyKey: job.idempotencyKey ?? null,
    scheduleId: job.scheduleId ?? null,
    timeoutSeconds: job.timeoutSeconds,
    createdAt: job.createdAt,
    queuedAt: job.queuedAt ?? null,
    startedAt: job.startedAt ?? null,
    heartbeatAt: job.heartbeatAt ?? null,
    completedAt: job.completedAt ?? null,
    queueTimeMs: job.queueTimeMs ?? null,
    executionTimeMs: job.executionTimeMs ?? null,
    seq: job.seq,
    steps: (job.steps ?? []).map(toStepView),
    continuations: job.continuations ?? 0,
  };
}

/** When a job entered its current status (for queued/retrying: the later of "due" and "last sent"). */
export function statusTime(
  job: Pick<
    Job,
    'status' | 'runAt' | 'createdAt' | 'queuedAt' | 'dispatchedAt' | 'startedAt' | 'completedAt'
  >,
): string {
  switch (job.status) {
    case 'scheduled':
      return job.runAt ?? job.createdAt;
    case 'queued':
    case 'retrying': {
      const due = job.queuedAt ?? job.createdAt;
      return job.dispatchedAt && job.dispatchedAt > due ? job.dispatchedAt : due;
    }
    case 'running':
    case 'cancelling':
      return job.startedAt ?? job.createdAt;
    case 'pending':
      return job.createdAt;
    default:
      return job.completedAt ?? job.createdAt;
  }
}
