/**
 * Durable steps: the record a job keeps of each `ctx.step(name, fn)` (its outcome, when and in which run it
 * ended, and its result as JSON or a reference to it in the payload store), and the pure rules around it:
 * name and size limits, replacing an entry, and when an invocation should hand the job to a fresh one
 * instead of starting the next step. No I/O.
 */
import { truncateBytes } from './limits.ts';
import type { StepResultRef } from './step-results.ts';

export type StepStatus = 'completed' | 'failed';

interface StepOutcome {
  name: string;
  status: StepStatus;
  attempt: number;
  completedAt: string;
}

/** A step as the job view shows it; a result kept in the payload store adds its size. */
export interface StepView extends StepOutcome {
  /** Present (true) when the step's result is kept in S3 rather than with the job. */
  resultOffloaded?: true;
  /** The size of an offloaded result (bytes of its JSON). */
  resultBytes?: number;
}

/** A step as stored with the job. */
export interface StepRecord extends StepOutcome {
  /** The continuation (0: the attempt's first invocation) in which the step's function last ran. */
  continuation: number;
  /** How long the step's function ran (the continuation rule estimates the next step from it). */
  durationMs: number;
  /** The completed step's result as compact JSON; dropped once the job completes (nothing replays it then). */
  result?: string;
  /** Instead of `result`: where the result is in the payload store (kept after the job ends, for cleanup). */
  resultRef?: StepResultRef;
}

/** The view of a stored step: its outcome, and the size of a result kept in S3 (never the result). */
export const toStepView = ({ name, status, attempt, completedAt, resultRef }: StepRecord): StepView => ({
  name,
  status,
  attempt,
  completedAt,
  ...(resultRef && { resultOffloaded: true as const, resultBytes: resultRef.bytes }),
});

/** The longest a job may run in one invocation: the worker Lambda's 900 s less a margin to record it. */
export const MAX_INVOCATION_TIMEOUT_SECONDS = 840;
/** A durable command continues across invocations: its timeout (wall time) may be up to a day. */
export const MAX_DURABLE_TIMEOUT_SECONDS = 86_400;

/** Steps one job may record; each entry is at most ~200 bytes without its result (core/limits.ts). */
export const MAX_STEPS = 64;
/** A step name, as UTF-8. */
export const MAX_STEP_NAME_BYTES = 64;
/** Kept free after the longest step so far before another step starts in the same invocation. */
export const MIN_CONTINUATION_MARGIN_MS = 1_000;

/** The bytes the results of `steps` kept in the item take together. */
export const stepResultBytes = (steps: readonly StepRecord[]): number =>
  steps.reduce((sum, step) => sum + (step.result === undefined ? 0 : Buffer.byteLength(step.result)), 0);

/** `steps` with `record` in place of the entry of the same name (its run order kept), or appended. */
export function withStep(steps: readonly StepRecord[], record: StepRecord): StepRecord[] {
  const index = steps.findIndex((step) => step.name === record.name);
  if (index < 0) return [...steps, record];
  return steps.map((step, at) => (at === index ? record : step));
}

/** The steps without their inline results: what a completed job keeps (references stay, for cleanup). */
export const withoutResults = (steps: readonly StepRecord[]): StepRecord[] =>
  steps.map(({ result: _result, ...rest }) => rest);

/** Why a step name cannot be used, or null. */
export function stepNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'a step name must be a non-empty string';
  if (Buffer.byteLength(name) > MAX_STEP_NAME_BYTES)
    return `step name "${truncateBytes(name, 40)}" is longer than ${MAX_STEP_NAME_BYTES} bytes`;
  return null;
}

/**
 * What the next step is likely to need: the longest step of the job so far, plus a margin (a tenth of it,
 * at least MIN_CONTINUATION_MARGIN_MS). Unknown (no step has run yet): just the margin.
 */
export function nextStepEstimateMs(steps: readonly StepRecord[]): number {
  const longest = steps.reduce((max, step) => Math.max(max, step.durationMs), 0);
  return longest + Math.max(MIN_CONTINUATION_MARGIN_MS, Math.ceil(longest / 10));
}

/**
 * Whether to hand the job to a fresh invocation before the next step: only once a step has run in this
 * invocation (one step must fit in one invocation, so a fresh invocation always starts one), and only when
 * the time left is less than the next step is likely to need.
 */
export function shouldContinueElsewhere(input: {
  remainingMs: number;
  stepsRunHere: number;
  steps: readonly StepRecord[];
}): boolean {
  return input.stepsRunHere > 0 && input.remainingMs < nextStepEstimateMs(input.steps);
}
