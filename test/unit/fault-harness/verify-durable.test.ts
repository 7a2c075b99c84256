/** The fault harness's durable checks (test/support/faults/verify-durable.ts) catch what they must. */
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../../functions/core/steps.ts';
import { type DurableProbeParams, plannedStepRuns } from '../../support/faults/durable-probe.ts';
import { Ledger } from '../../support/faults/ledger.ts';
import { verifyDurable } from '../../support/faults/verify-durable.ts';
import { aJob } from '../../support/job-factory.ts';

describe('plannedStepRuns', () => {
  it('counts one run per step, one more per planned failure reached, none after a permanent failure', () => {
    expect(plannedStepRuns({ steps: 3, ms: 0, expect: 'completed' }, 5)).toEqual([0, 1, 1, 1]);
    const failing: DurableProbeParams = {
      steps: 4,
      ms: 0,
      failAt: [
        { step: 2, attempt: 1 },
        { step: 3, attempt: 2 },
      ],
      expect: 'completed',
    };
    expect(plannedStepRuns(failing, 5)).toEqual([0, 1, 2, 2, 1]);
    // A failure planned for an attempt that never runs that step costs nothing.
    expect(plannedStepRuns({ ...failing, failAt: [{ step: 2, attempt: 3 }] }, 5)).toEqual([0, 1, 1, 1, 1]);
    expect(plannedStepRuns({ steps: 5, ms: 0, permanentAt: 3, expect: 'failed' }, 5)).toEqual([
      0, 1, 1, 1, 0, 0,
    ]);
    expect(plannedStepRuns({ steps: 4, ms: 0, fault: 'zombie-step', expect: 'completed' }, 5)).toEqual([
      0, 1, 2, 1, 1,
    ]);
  });
});

/** A completed probe/steps job of `steps` steps whose every step ran once in attempt 1, invocation 0. */
function cleanRun(steps: number) {
  const params: DurableProbeParams = { steps, ms: 0, expect: 'completed' };
  const records: StepRecord[] = [];
  const result: Record<string, { attempt: number; continuation: number }> = {};
  const job = aJob({ type: 'probe', command: 'steps', params, status: 'completed', attempt: 1 });
  const ledger = new Ledger();
  ledger.durableRan(job.id, 1, 0);
  for (let n = 1; n <= steps; n++) {
    ledger.stepStarted(job.id, n, 1, 0).outcome = 'returned';
    ledger.stepsStored(job.id, [String(n)]);
    result[String(n)] = { attempt: 1, continuation: 0 };
    records.push({
      name: String(n),
      status: 'completed',
      attempt: 1,
      continuation: 0,
      completedAt: new Date().toISOString(),
      durationMs: 0,
    });
  }
  return { job: { ...job, steps: records, result: { steps: result } }, ledger };
}

describe('verifyDurable', () => {
  it('passes a job whose steps each ran once and were stored', () => {
    const { job, ledger } = cleanRun(3);
    const { problems, figures } = verifyDurable([job], ledger);
    expect(problems).toEqual([]);
    expect(figures).toMatchObject({ jobs: 1, stepRuns: 3, plannedStepRuns: 3, jobsContinued: 0 });
  });

  it('catches a stored step whose function runs again, even when an interruption could explain a run', () => {
    const { job, ledger } = cleanRun(3);
    const stored = ledger.stepStoredAt.get(`${job.id}#2`) ?? 0;
    ledger.stepRuns
      .get(`${job.id}#2`)
      ?.push({ attempt: 2, continuation: 0, startedAt: stored + 1000, outcome: 'returned' });
    ledger.interrupted(job.id, 'worker_lost');
    const { problems } = verifyDurable([job], ledger);
    expect(problems.join()).toMatch(
      /1 step functions run again after their completion was stored: .* step 2 in attempt 2\.0/,
    );
  });

  it('catches a step run beyond the plan that no interruption explains', () => {
    const { job, ledger } = cleanRun(3);
    ledger.stepRuns
      .get(`${job.id}#3`)
      ?.unshift({ attempt: 1, continuation: 0, startedAt: 0, outcome: 'returned' });
    expect(verifyDurable([job], ledger).problems.join()).toMatch(/step runs beyond the plan, unexplained/);
    ledger.interrupted(job.id, 'worker_lost');
    expect(verifyDurable([job], ledger).problems).toEqual([]);
  });

  it('catches a step lost from the result or the records, and an invocation that ran twice', () => {
    const { job, ledger } = cleanRun(3);
    const { ['2']: _lost, ...rest } = (job.result as { steps: Record<string, unknown> }).steps;
    const lost = { ...job, result: { steps: rest }, steps: job.steps.filter((step) => step.name !== '2') };
    ledger.durableRan(job.id, 1, 0);
    const problems = verifyDurable([lost], ledger).problems.join('\n');
    expect(problems).toMatch(/step records are not every step/);
    expect(problems).toMatch(/step results not from the run that stored them/);
    expect(problems).toMatch(/invocations of a durable attempt run twice/);
  });

  it('catches a job planned to continue that never did', () => {
    const { job, ledger } = cleanRun(3);
    const planned = { ...job, params: { ...(job.params as DurableProbeParams), budgetMs: 5000 } };
    expect(verifyDurable([planned], ledger).problems.join()).toMatch(/planned to continue that never did/);
    ledger.durableRan(job.id, 1, 1);
    expect(verifyDurable([planned], ledger).problems).toEqual([]);
  });
});
