/**
 * Submitting a job: check the agent and its params, decide the first status (queued now, queued with an
 * SQS delay, or scheduled for the every-minute dispatcher), write the job, then send its message.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { AgentRegistry, Logger } from '../agents/registry.ts';
import type { SubmitJobInput } from '../api/schemas.ts';
import type { Clock } from '../core/clock.ts';
import {
  type FieldIssue,
  UnknownAgentError,
  UnknownDependencyError,
  ValidationError,
} from '../core/errors.ts';
import type { Job } from '../core/job.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { tierForPriority } from '../core/tiers.ts';

/** SQS delays messages by at most 15 minutes; later jobs wait in the table as `scheduled`. */
export const MAX_SQS_DELAY_SECONDS = 900;

export interface SubmitDeps {
  store: JobStore;
  dispatcher: Dispatcher;
  agents: AgentRegistry;
  clock: Clock;
  logger: Logger;
  newId?: () => string;
}

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export async function submitJob(deps: SubmitDeps, userId: string, input: SubmitJobInput): Promise<Job> {
  const now = deps.clock.now();
  const agentCommand = deps.agents.find(input.type, input.command);
  if (!agentCommand) throw new UnknownAgentError(input.type, input.command);
  const parsed = agentCommand.params.safeParse(input.params);
  if (!parsed.success)
    throw new ValidationError(issuesOf(parsed.error, 'params'), 'The params do not fit the agent');

  const runAt = startTime(input, now);
  checkDeadline(input.deadline, runAt ?? now, now);
  await checkDependencies(deps.store, userId, input.dependsOn);

  const delaySeconds = runAt ? Math.ceil((runAt.getTime() - now.getTime()) / 1000) : 0;
  const status = delaySeconds > MAX_SQS_DELAY_SECONDS ? 'scheduled' : 'queued';
  const job: Job = {
    id: (deps.newId ?? randomUUID)(),
    userId,
    type: input.type,
    command: input.command,
    params: parsed.data as Record<string, unknown>,
    priority: input.priority,
    tier: tierForPriority(input.priority),
    status,
    progress: { percent: 0, stage: null, message: null },
    attempt: 0,
    maxRetries: input.maxRetries,
    retryDelaySeconds: input.retryDelaySeconds,
    timeoutSeconds: input.timeoutSeconds,
    result: null,
    error: null,
    runAt: runAt?.toISOString() ?? null,
    deadline: input.deadline ? new Date(input.deadline).toISOString() : null,
    dependsOn: input.dependsOn,
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: now.toISOString(),
    queuedAt: status === 'queued' ? (runAt ?? now).toISOString() : null,
    startedAt: null,
    heartbeatAt: null,
    completedAt: null,
    queueTimeMs: null,
    executionTimeMs: null,
    seq: 1,
    epoch: 1,
    dispatchedAt: status === 'queued' ? now.toISOString() : null,
  };
  await deps.store.create(job);
  if (status === 'queued') await dispatchOrLeaveForRecovery(deps, job, delaySeconds);
  return job;
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

async function checkDependencies(store: JobStore, userId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await Promise.all(ids.map((id) => store.get(id)));
  const unknown = ids.filter((_, i) => found[i]?.userId !== userId);
  if (unknown.length > 0) throw new UnknownDependencyError(unknown);
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
