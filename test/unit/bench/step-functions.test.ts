import { describe, expect, it } from 'vitest';
import { evaluateGoals } from '../../../bench/lib/goals.ts';
import type { BenchResults } from '../../../bench/lib/results.ts';
import { standardWorkflowTransitions } from '../../../bench/lib/step-functions.ts';

describe('the Step Functions Standard model', () => {
  it('prices a plain job as Start, Claim, Run, its progress Tasks, RecordResult and Succeed', () => {
    expect(standardWorkflowTransitions({ runs: 1, progressUpdates: 0 }).transitions).toBe(5);
    expect(standardWorkflowTransitions({ runs: 1, progressUpdates: 11 }).transitions).toBe(16);
    expect(standardWorkflowTransitions({ runs: 3, progressUpdates: 0 }).transitions).toBe(13);
  });

  it('gives each durable step a Task state of its own, with no Run and no progress Tasks', () => {
    const workflow = standardWorkflowTransitions({ runs: 1, progressUpdates: 10, steps: 5 });
    expect(workflow.breakdown).toEqual([
      { state: 'Start', count: 1 },
      { state: 'Claim', count: 1 },
      { state: 'Step (Task)', count: 5 },
      { state: 'RecordResult', count: 1 },
      { state: 'Succeed', count: 1 },
    ]);
    expect(workflow.transitions).toBe(9);
  });
});

describe('the goals table', () => {
  it('reports the 5-step job costs without a goal', () => {
    const shape = (name: string, usd: number) => ({ shape: name, platformUsdPerMillion: usd });
    const sections = {
      cost: {
        shapes: [shape('demo/steps', 9.5), shape('demo/steps continued', 12.25)],
        idle: { usdPerMonth: 0.5 },
      },
    } as unknown as BenchResults['sections'];
    const rows = evaluateGoals(sections);
    const steps = rows.find((row) => row.figure === '5 durable steps (demo/steps), per million');
    const continued = rows.find((row) => row.figure === '5 durable steps, 2 continuations, per million');
    expect(steps).toMatchObject({ measured: 9.5, goal: '-' });
    expect(steps?.verdict).toMatch(/reported$/);
    expect(continued).toMatchObject({ measured: 12.25, goal: '-' });
  });
});
