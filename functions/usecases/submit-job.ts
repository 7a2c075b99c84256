/**
 * Submitting a job: check the agent and its params, decide the first status (pending on dependencies,
 * queued now, queued with an SQS delay, or scheduled for the every-minute dispatcher), write the job, then
 * send its message. A repeated idempotency key returns the original job.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AgentRegistry, Logger } from '../agents/registry.ts';
import type { SubmitJobInput } from '../api/submit-schemas.ts';
import type { Clock } from '../core/clock.ts';
import {
  IdempotencyConflictError,
  PriorityReservedError,
  QuotaExceededError,
  UnknownDependencyError,
  ValidationError,
} from '../core/errors.ts';
import { isTerminal, type Job, type JobStatus } from '../core/job.ts';
import { MAX_PARAMS_BYTES } from '../core/limits.ts';
import type { PayloadStore } from '../core/payloads.ts';
import { DependencyChangedError, type Dispatcher, type Idempotency, type JobStore } from '../core/ports.ts';
import { higherTier, tierForPriority } from '../core/tiers.ts';
import { checkJob } from './job-checks.ts';
import { discardParams, type StoredParams, storeParams } from './payloads.ts';

/** SQS delays messages by at most 15 minutes; later jobs wait in the table as `scheduled`. */
export const MAX_SQS_DELAY_SECONDS = 900;

export interface SubmitDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  agents: AgentRegistry;
  clock: Clock;
  logger: Logger;
  newId?: () => string;
  /** Per-user limits (infra/limits.ts); none: unlimited. */
  quotas?: SubmitQuotas | undefined;
  /** Where params over 256 KiB go (S3); none: such params are refused. */
  payloads?: PayloadStore | undefined;
}

export interface SubmitQuotas {
  maxUnfinishedJobs: number;
  /** Priorities above it are for admins only (10: none reserved). */
  maxUserPriority: number;
}

/** Who submits: the user, and whether they may use reserved priorities. */
export interface Submitter {
  userId: string;
  isAdmin: boolean;
}

/** Where a submission comes from, when not from the caller directly. */
export interface SubmissionOrigin {
  /** The schedule that starts the job (the job view's `scheduleId`). */
  scheduleId?: string | undefined;
}

export interface Submission {
  job: Job;
  /** False when an idempotency key returned the original job. */
  created: boolean;
}

/**
 * Precondition: the agent exists and the params fit it; dependencies are the caller's jobs.
 * Writes the job (and its idempotency record and dependency edges) atomically, then sends its message.
 */
export async function submitJob(
  deps: SubmitDeps,
  submitter: string | Submitter,
  input: SubmitJobInput,
  origin: SubmissionOrigin = {},
): Promise<Submission> {
  const { userId, isAdmin } =
    typeof submitter === 'string' ? { userId: submitter, isAdmin: false } : submitter;
  const { params, paramsJson } = checkJob(deps.agents, input, { maxParamsBytes: MAX_PARAMS_BYTES });
  await checkQuotas(deps, userId, isAdmin, input.priority);
  const id = (deps.newId ?? randomUUID)();
  const idempotency = input.idempotencyKey
    ? { key: input.idempotencyKey, fingerprint: fingerprint(input) }
    : undefined;
  // Large params are written before the job item that refers to them.
  const stored = await storeParams(deps.payloads, id, params, paramsJson);
  try {
    const submission = await createAndDispatch(deps, id, userId, input, stored, idempotency, origin);
    if (!submission.created) await discardParams(deps, stored);
    return submission;
  } catch (error) {
    await discardParams(deps, stored);
    throw error;
  }
}

async function createAndDispatch(
  deps: SubmitDeps,
  id: string,
  userId: string,
  input: SubmitJobInput,
  stored: StoredParams,
  idempotency: Idempotency | undefined,
  origin: SubmissionOrigin,
): Promise<Submission> {
  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    const runAt = startTime(input, now);
    checkDeadline(input.deadline, runAt ?? now, now);
    const parents = await loadDependencies(deps.store, userId, input.dependsOn);
    const job: Job = {
      ...buildJob(id, userId, input, stored.params, parents, runAt, now),
      ...stored,
      ...(origin.scheduleId && { scheduleId: origin.scheduleId }),
    };
    const waitsFor = job.status === 'pending' ? parents.filter((parent) => !isTerminal(parent.status)) : [];
    try {
      const result = await deps.store.create(job, { idempotency, waitsFor });
      if (!result.created) return repeatOf(deps.store, result, idempotency);
    } catch (error) {
      // A parent finished between our read and the write: decide again with its final status.
      if (error instanceof DependencyChangedError && attempt < 5) continue;
      throw error;
    }
    if (job.status === 'queued') await dispatchOrLeaveForRecovery(deps, job, secondsUntil(runAt, now));
    return { job, created: true };
  }
}

/**
 * O(1): one read of the user's counter shards. Concurrent submissions may pass the cap together, by at most
 * the number of submissions in flight at once for that user (bounded by the submit route's throttling).
 */
async function checkQuotas(deps: SubmitDeps, userId: string, isAdmin: boolean, priority: number) {
  const quotas = deps.quotas;
  if (!quotas) return;
  if (priority > quotas.maxUserPriority && !isAdmin) throw new PriorityReservedError(quotas.maxUserPriority);
  const { byStatus } = await deps.store.readStats({ userId });
  const unfinished = Object.entries(byStatus)
    .filter(([status]) => !isTerminal(status as JobStatus))
    .reduce((sum, [, count]) => sum + count, 0);
  if (unfinished >= quotas.maxUnfinishedJobs)
    throw new QuotaExceededError(
      `You have ${unfinished} unfinished jobs; the limit is ${quotas.maxUnfinishedJobs}. Wait for some to finish or cancel some.`,
      { quota: 'maxUnfinishedJobs', limit: quotas.maxUnfinishedJobs },
    );
}

function buildJob(
  id: string,
  userId: string,
  input: SubmitJobInput,
  params: Record<string, unknown> | null,
  parents: Job[],
  runAt: Date | null,
  now: Date,
): Job {
  const failedParent = parents.find((parent) => ['failed', 'dead', 'cancelled'].includes(parent.status));
  const waiting = parents.some((parent) => parent.status !== 'completed');
  const status: JobStatus = failedParent
    ? 'failed'
    : waiting
      ? 'pending'
      : secondsUntil(runAt, now) > MAX_SQS_DELAY_SECONDS
        ? 'scheduled'
        : 'queued';
  return {
    id,
    userId,
    type: input.type,
    command: input.command,
    params,
    priority: input.priority,
    tier: initialTier(input, runAt ?? now),
    status,
    progress: { percent: 0, stage: null, message: null },
    attempt: 0,
    maxRetries: input.maxRetries,
    retryDelaySeconds: input.retryDelaySeconds,
    timeoutSeconds: input.timeoutSeconds,
    result: null,
    error: failedParent
      ? {
          code: 'dependency_failed',
          message: `Dependency ${failedParent.id} ended ${failedParent.status}`,
          retryable: false,
        }
      : null,
    runAt: runAt?.toISOString() ?? null,
    deadline: input.deadline ? new Date(input.deadline).toISOString() : null,
    dependsOn: input.dependsOn,
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: now.toISOString(),
    queuedAt: status === 'queued' ? (runAt ?? now).toISOString() : null,
    startedAt: null,
    heartbeatAt: null,
    completedAt: failedParent ? now.toISOString() : null,
    queueTimeMs: null,
    executionTimeMs: null,
    seq: 1,
    epoch: 1,
    dispatchedAt: status === 'queued' ? now.toISOString() : null,
  };
}

/** A job whose deadline is close to its start goes one tier up, so it is not stuck behind a backlog. */
export const DEADLINE_URGENCY_MS = 10 * 60 * 1000;
function initialTier(input: SubmitJobInput, start: Date) {
  const tier = tierForPriority(input.priority);
  const urgent = input.deadline && new Date(input.deadline).getTime() - start.getTime() < DEADLINE_URGENCY_MS;
  return urgent ? higherTier(tier) : tier;
}

const secondsUntil = (at: Date | null, now: Date) =>
  at ? Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000)) : 0;

/** What identifies "the same request" for an idempotency key: everything the caller asked for. */
function fingerprint(input: SubmitJobInput): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== undefined)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
}

async function repeatOf(
  store: JobStore,
  previous: { jobId: string; fingerprint: string },
  idempotency: Idempotency | undefined,
): Promise<Submission> {
  if (!idempotency || previous.fingerprint !== idempotency.fingerprint) {
    throw new IdempotencyConflictError(idempotency?.key ?? '');
  }
  const job = await store.get(previous.jobId);
  if (!job) throw new IdempotencyConflictError(idempotency.key);
  return { job, created: false };
}

function startTime(input: SubmitJobInput, now: Date): Date | null {
  if (input.delaySeconds !== undefined && input.delaySeconds > 0) {
    return new Date(now.getTime() + input.delaySeconds * 1000);
  }
  if (input.runAt !== undefined) {
    const at = new Date(input.runAt);
    return at.getTime() > now.getTime() ? at : null;
  }
  return null;
}

function checkDeadline(deadline: string | undefined, start: Date, now: Date): void {
  if (deadline === undefined) return;
  const at = new Date(deadline).getTime();
  if (at <= now.getTime())
    throw new ValidationError([{ path: 'deadline', message: 'must be in the future' }]);
  if (at <= start.getTime())
    throw new ValidationError([{ path: 'deadline', message: 'must be after the start time' }]);
}

async function loadDependencies(store: JobStore, userId: string, ids: string[]): Promise<Job[]> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => store.get(id)));
  const unknown = unique.filter((_, i) => found[i]?.userId !== userId);
  if (unknown.length > 0) throw new UnknownDependencyError(unknown);
  return found as Job[];
}

/**
 * The job is already stored, so a failed send loses nothing: it stays `queued`, and the recovery sweep
 * re-sends queued jobs whose message never arrived (a duplicate is harmless: the claim is fenced).
 */
async function dispatchOrLeaveForRecovery(deps: SubmitDeps, job: Job, delaySeconds: number): Promise<void> {
  try {
    await deps.dispatcher.dispatch(job, { delaySeconds });
  } catch (error) {
    deps.logger.error('dispatch failed; the recovery sweep will re-send the job', { jobId: job.id, error });
  }
}
