/**
 * Running one job message: claim it, run its agent with progress, heartbeat, cancellation and a timeout,
 * then record the outcome. Returns what should happen to the SQS message.
 *
 * Fencing: every write is conditional on the message's epoch, so a stale or duplicate message can never
 * run a job twice or overwrite a newer run's outcome.
 */
import type { AgentRegistry, Logger } from '../agents/registry.ts';
import type { Clock } from '../core/clock.ts';
import {
  JobCancelledError,
  type JobError,
  PermanentJobError,
  TransientJobError,
  toJobError,
} from '../core/errors.ts';
import type { Job } from '../core/job.ts';
import type { JobSnapshot } from '../core/job-snapshot.ts';
import type { PayloadStore } from '../core/payloads.ts';
import type { Dispatcher, JobStore } from '../core/ports.ts';
import { handOff, recordSteps, resume, withFinalSteps } from '../core/step-transitions.ts';
import {
  acknowledgeCancel,
  claim,
  complete,
  errorInfo,
  expire,
  fail,
  heartbeat,
} from '../core/transitions.ts';
import * as z from '../core/zod.ts';
import { StepRunner } from './durable-steps.ts';
import { firstLook } from './first-look.ts';
import { loadParams, storeResult } from './payloads.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { runTimeLimit, untilAborted } from './run-limits.ts';
import { finishWith, recordFailure, reread, withProgress } from './run-outcomes.ts';
import { StepResults } from './step-results.ts';

export interface JobMessage {
  jobId: string;
  epoch: number;
  /** The job as it was written before the message was sent (absent in messages sent before it existed). */
  snapshot?: JobSnapshot | undefined;
}

/** A message as received: `receiveCount` is SQS's ApproximateReceiveCount (absent: unknown). */
export interface JobDelivery extends JobMessage {
  receiveCount?: number | undefined;
}

/** The SQS side of a message, as far as the worker needs it. */
export interface MessageControl {
  /** Keeps the message hidden for `seconds` more (heartbeat), or makes it reappear after them (retry). */
  setVisibility(seconds: number): Promise<void>;
}

export interface RunJobDeps {
  store: JobStore;
  agents: AgentRegistry;
  clock: Clock;
  logger: Logger;
  /** How often a running job's heartbeat is written (and cancellation noticed). */
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this is presumed dead. */
  staleAfterMs: number;
  /** At most one progress write per this interval, plus stage changes. */
  progressIntervalMs: number;
  backoffCapSeconds?: number;
  random?: () => number;
  /** Sends a durable job's message again when it continues in a fresh invocation (none: no continuations). */
  dispatcher?: Dispatcher;
  /** Where params and results too large for the job item are kept (usecases/payloads.ts). */
  payloads?: PayloadStore | undefined;
}

export type RunOutcome =
  | { kind: 'dropped'; reason: string }
  | { kind: 'finished'; job: Job }
  | { kind: 'retry'; job: Job; delaySeconds: number }
  /** The message came before the job is due (its backoff): hide it again for the time left. */
  | { kind: 'early'; job: Job; delaySeconds: number }
  /** Handed to a fresh invocation: its new message is sent; this one is done. */
  | { kind: 'continued'; job: Job };

export async function runJob(
  deps: RunJobDeps,
  message: JobDelivery,
  control: MessageControl,
  budgetMs: number,
): Promise<RunOutcome> {
  const look = await firstLook(deps.store, message, deps.clock.now());
  if (look.kind === 'started') return execute(deps, look.job, control, budgetMs);
  const found = look.job;
  if (!found) return { kind: 'dropped', reason: 'no such job' };
  if (found.epoch !== message.epoch) return { kind: 'dropped', reason: 'stale epoch' };
  const now = deps.clock.now();

  if (found.status === 'running' || found.status === 'cancelling') {
    if (found.handoffAt !== undefined) return resumeHandedOff(deps, found, control, budgetMs, now);
    return recoverCrashedRun(deps, found, now);
  }
  if (found.status !== 'queued' && found.status !== 'retrying') {
    return { kind: 'dropped', reason: `job is ${found.status}` };
  }
  if (found.deadline && new Date(found.deadline).getTime() <= now.getTime()) {
    return finishWith(deps, found, expire(found, now));
  }
  // A retry's message hides for the backoff; if hiding it failed (ChangeMessageVisibility is a request
  // like any other), it comes back early: the backoff holds anyway.
  const dueInMs = new Date(found.queuedAt ?? 0).getTime() - now.getTime();
  if (dueInMs > 0) return { kind: 'early', job: found, delaySeconds: Math.ceil(dueInMs / 1000) };
  const claimed = await deps.store.apply(found, claim(found, now));
  if (!claimed) return { kind: 'dropped', reason: 'claimed by another message' };
  return execute(deps, claimed, control, budgetMs);
}

/**
 * The message came back while the job still looks running: the run that had it either died (its heartbeat
 * went stale) or is alive and merely slow to extend the visibility (leave it alone).
 */
async function recoverCrashedRun(deps: RunJobDeps, job: Job, now: Date): Promise<RunOutcome> {
  const beat = new Date(job.heartbeatAt ?? job.startedAt ?? 0).getTime();
  if (now.getTime() - beat < deps.staleAfterMs)
    return { kind: 'dropped', reason: 'job is running elsewhere' };
  const crash = new TransientJobError('The worker running this job stopped responding', 'worker_lost');
  return recordFailure(deps, job, crash);
}

/** The message of a continuation: the job resumes here (or ends, if a cancel came in between). */
async function resumeHandedOff(
  deps: RunJobDeps,
  job: Job,
  control: MessageControl,
  budgetMs: number,
  now: Date,
): Promise<RunOutcome> {
  if (job.status === 'cancelling') {
    const cancel = acknowledgeCancel(job, now);
    return finishWith(deps, job, { ...cancel, set: { ...cancel.set, handoffAt: undefined } });
  }
  const resumed = await deps.store.apply(job, resume(job, now));
  if (!resumed) return { kind: 'dropped', reason: 'resumed by another message' };
  return execute(deps, resumed, control, budgetMs);
}

async function execute(
  deps: RunJobDeps,
  claimed: Job,
  control: MessageControl,
  budgetMs: number,
): Promise<RunOutcome> {
  const logger = withJob(deps.logger, claimed);
  const agentCommand = deps.agents.find(claimed.type, claimed.command);
  if (!agentCommand) {
    const error = new PermanentJobError(
      `No agent ${claimed.type}/${claimed.command} is registered`,
      'unknown_agent',
    );
    return finishWith(deps, claimed, fail(claimed, errorInfo(error), deps.clock.now()));
  }

  let current = claimed;
  const startMs = deps.clock.now().getTime();
  const abort = new AbortController();
  const stop = (reason: JobError | 'fenced' | 'continue') => {
    if (!abort.signal.aborted) abort.abort(reason);
  };
  /** Applies a heartbeat or progress write; learns about cancel requests and lost fencing from the result. */
  const beat = async (progress?: Job['progress']) => {
    try {
      const next = await deps.store.apply(current, heartbeat(current, deps.clock.now(), progress));
      if (!next) return stop('fenced');
      current = next;
      if (next.status === 'cancelling') stop(new JobCancelledError());
    } catch (error) {
      logger.warn('heartbeat write failed', { error });
    }
  };
  const reporter = new ProgressReporter(beat, deps.progressIntervalMs, () => deps.clock.now().getTime());
  const heartbeatTimer = setInterval(() => {
    void beat();
    control
      .setVisibility(visibilityFor(deps))
      .catch((error) => logger.warn('visibility extension failed', { error }));
  }, deps.heartbeatMs);
  // Stop short of the Lambda deadline so the outcome is always recorded.
  const limit = runTimeLimit(claimed, agentCommand.durable === true, budgetMs, startMs);
  const timeout = setTimeout(() => stop(limit.error), limit.limitMs);
  // A durable attempt whose wall time is already spent does not start its agent again.
  if (limit.limitMs <= 0) stop(limit.error);
  const steps = new StepRunner({
    steps: claimed.steps ?? [],
    attempt: claimed.attempt,
    continuation: claimed.continuations ?? 0,
    clock: deps.clock,
    results: new StepResults({
      jobId: claimed.id,
      epoch: claimed.epoch,
      attempt: claimed.attempt,
      payloads: deps.payloads,
    }),
    save: async (records) => {
      const next = await deps.store.apply(current, recordSteps(current, records));
      if (!next) {
        stop('fenced');
        throw new Error('fenced out');
      }
      current = next;
      if (next.status === 'cancelling') stop(new JobCancelledError());
    },
    mayContinue: agentCommand.durable === true && deps.dispatcher !== undefined,
    remainingMs: () => startMs + budgetMs - deps.clock.now().getTime(),
    onContinuation: () => stop('continue'),
  });

  let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
  try {
    if (abort.signal.aborted) throw abort.signal.reason;
    const params = z.parse(agentCommand.params, await loadParams(deps.payloads, claimed));
    const run = agentCommand.run(params, {
      jobId: claimed.id,
      attempt: claimed.attempt,
      signal: abort.signal,
      progress: (percent, stage, message) => reporter.report(percent, stage, message),
      logger,
      step: steps.step,
      continuation: claimed.continuations ?? 0,
    });
    outcome = { ok: true, result: await untilAborted(run, abort.signal) };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    clearInterval(heartbeatTimer);
    clearTimeout(timeout);
    await reporter.close();
  }

  if (abort.signal.reason === 'fenced') return { kind: 'dropped', reason: 'fenced out while running' };
  // The final write carries the last progress the agent reported, even if coalescing had held it back.
  const progress = reporter.latest ?? current.progress;
  if (abort.signal.reason === 'continue') {
    await steps.flush();
    return continueElsewhere(deps, current, progress);
  }
  if (outcome.ok) {
    // A large result is written to the payload store before the final write refers to it.
    const stored = await storeResult(deps.payloads, current, outcome.result).catch((cause: unknown) => ({
      ok: false as const,
      error: new TransientJobError('The result could not be stored', 'result_not_stored', { cause }),
    }));
    if (!stored.ok) return recordFailure(deps, current, stored.error, progress);
    const done = complete(current, stored.result, deps.clock.now(), progress, stored.resultRef);
    return finishWith(deps, current, withFinalSteps(done, steps.steps));
  }
  const reason = abort.signal.aborted ? abort.signal.reason : outcome.error;
  const error = toJobError(reason);
  if (!(error.retryable || error instanceof JobCancelledError))
    logger.warn('job failed', { error: outcome.error });
  if (error instanceof JobCancelledError)
    return finishWith(deps, current, withProgress(acknowledgeCancel(current, deps.clock.now()), progress));
  return recordFailure(deps, current, error, progress);
}

/** Hands the job to a fresh invocation: records the hand-off (new epoch), then sends its message at once. */
async function continueElsewhere(deps: RunJobDeps, job: Job, progress: Job['progress']): Promise<RunOutcome> {
  const next = await deps.store.apply(job, handOff(job, deps.clock.now(), progress));
  // A cancel request came first (or the run was fenced out): acknowledge it, or leave it to the new owner.
  if (!next) return reread(deps, job);
  await deps.dispatcher?.dispatch(next);
  return { kind: 'continued', job: next };
}

/** How long a heartbeat keeps the message hidden: long enough to survive two missed beats. */
export const visibilityFor = (deps: Pick<RunJobDeps, 'heartbeatMs' | 'staleAfterMs'>): number =>
  Math.ceil(Math.max(deps.staleAfterMs, 3 * deps.heartbeatMs) / 1000);

const withJob = (logger: Logger, job: Job): Logger =>
  logger.child({ jobId: job.id, attempt: job.attempt, agent: `${job.type}/${job.command}` });
