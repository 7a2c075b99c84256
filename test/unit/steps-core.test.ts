import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../functions/agents/index.ts';
import { submitJobSchema } from '../../functions/api/schemas.ts';
import { parseInput } from '../../functions/api/validate.ts';
import { TestClock } from '../../functions/core/clock.ts';
import { ValidationError } from '../../functions/core/errors.ts';
import {
  MIN_CONTINUATION_MARGIN_MS,
  nextStepEstimateMs,
  type StepRecord,
  shouldContinueElsewhere,
  stepNameProblem,
  withStep,
} from '../../functions/core/steps.ts';
import { submitJob } from '../../functions/usecases/submit-job.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

const step = (name: string, durationMs: number, status: StepRecord['status'] = 'completed'): StepRecord => ({
  name,
  status,
  attempt: 1,
  continuation: 0,
  completedAt: '2026-01-01T00:00:00.000Z',
  durationMs,
});

describe('the continuation rule', () => {
  it('estimates the next step from the longest so far, plus a margin', () => {
    expect(nextStepEstimateMs([])).toBe(MIN_CONTINUATION_MARGIN_MS);
    expect(nextStepEstimateMs([step('a', 3_000), step('b', 1_000)])).toBe(3_000 + MIN_CONTINUATION_MARGIN_MS);
    expect(nextStepEstimateMs([step('a', 120_000)])).toBe(132_000);
  });

  it('continues elsewhere only after a step ran here and when the time left is short', () => {
    const steps = [step('a', 3_000)];
    expect(shouldContinueElsewhere({ remainingMs: 3_999, stepsRunHere: 1, steps })).toBe(true);
    expect(shouldContinueElsewhere({ remainingMs: 4_000, stepsRunHere: 1, steps })).toBe(false);
    // A fresh invocation always starts a step, however little time it has: one step must fit in one.
    expect(shouldContinueElsewhere({ remainingMs: 10, stepsRunHere: 0, steps })).toBe(false);
  });

  it('replaces a step by name in place and appends new ones', () => {
    const steps = [step('a', 1), step('b', 1, 'failed')];
    expect(withStep(steps, step('b', 2)).map((s) => [s.name, s.status])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
    expect(withStep(steps, step('c', 2)).map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('refuses empty and overlong step names', () => {
    expect(stepNameProblem('')).toMatch(/non-empty/);
    expect(stepNameProblem('é'.repeat(33))).toMatch(/longer than 64 bytes/);
    expect(stepNameProblem('polish')).toBeNull();
  });
});

describe('timeoutSeconds beyond one invocation', () => {
  const deps = () => ({
    store: new MemoryJobStore(),
    agents: createRegistry(),
    clock: new TestClock('2026-06-01T00:00:00.000Z'),
    logger: silentLogger,
    dispatcher: { dispatch: async () => undefined },
  });
  const input = (command: string, params: Record<string, unknown>, timeoutSeconds: number) =>
    parseInput(submitJobSchema, { type: 'demo', command, params, timeoutSeconds });

  it('is accepted up to 86,400 s for a durable command', async () => {
    const { job } = await submitJob(deps(), 'alice', input('steps', { steps: 2, secondsPerStep: 0 }, 86_400));
    expect(job.timeoutSeconds).toBe(86_400);
  });

  it('is a validation error naming the 840 s limit for a command that is not durable', async () => {
    const error = await submitJob(deps(), 'alice', input('sleep', { seconds: 1 }, 841)).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([
      { path: 'timeoutSeconds', message: expect.stringContaining('at most 840') },
    ]);
  });

  it('is refused above 86,400 s by the request schema', () => {
    expect(() => input('steps', { steps: 1, secondsPerStep: 0 }, 86_401)).toThrow(ValidationError);
  });
});
