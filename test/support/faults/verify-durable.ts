/**
 * The invariants of the durable jobs of a fault run (probe/steps, durable-probe.ts), from the jobs as
 * stored and the ledger:
 * - a step's function never starts again once the store accepted its completed record;
 * - it runs as often as the plan says (once, one more per planned failure, one more for a "zombie-step"
 *   run whose record was refused); a run beyond that must be explained by an unplanned interruption of
 *   the job (a run recovered as worker_lost on a stalled machine, a step that overran its invocation's
 *   time limit: timeout): at most one per interruption; after such an interruption the attempts move on,
 *   so a failure planned for an attempt may not happen and fewer runs are no error then;
 * - no invocation of an attempt (attempt, continuation) runs twice;
 * - a completed job's result has every step, each from the run that stored it, and its step records say
 *   the same (nothing lost, nothing repeated across continuations and retries);
 * - a job planned to continue did continue at least once (unless interrupted otherwise).
 */
import type { Job } from '../../../functions/core/job.ts';
import { type DurableProbeParams, plannedStepRuns, type StepOutcome } from './durable-probe.ts';
import type { Ledger, StepRun } from './ledger.ts';

export interface DurableFigures {
  jobs: number;
  continuations: number;
  /** Jobs that continued at least once (from the probe's own record of its invocations). */
  jobsContinued: number;
  stepRuns: number;
  plannedStepRuns: number;
  /** Interruptions of durable jobs other than the planned zombies' (each may cost one step run more). */
  unplannedInterruptions: number;
  /** Every interruption of a durable job (planned zombies' included), by error code. */
  interruptionsByCode: Record<string, number>;
  stepWrites: number;
}

const isDurableProbe = (job: Job) => job.type === 'probe' && job.command === 'steps';

export function verifyDurable(jobs: Job[], ledger: Ledger): { problems: string[]; figures: DurableFigures } {
  const problems: Record<string, string[]> = {};
  const say = (what: string, detail: string) => {
    problems[what] = [...(problems[what] ?? []), detail];
  };
  const figures: DurableFigures = {
    jobs: 0,
    continuations: ledger.counts.continuations,
    jobsContinued: 0,
    stepRuns: 0,
    plannedStepRuns: 0,
    unplannedInterruptions: 0,
    interruptionsByCode: {},
    stepWrites: ledger.counts.stepWrites,
  };
  for (const codes of ledger.interruptions.values())
    for (const code of codes)
      figures.interruptionsByCode[code] = (figures.interruptionsByCode[code] ?? 0) + 1;
  for (const [key, n] of ledger.durableRuns)
    if (n > 1) say('invocations of a durable attempt run twice', `${key} ×${n}`);

  for (const job of jobs.filter(isDurableProbe)) {
    figures.jobs += 1;
    const params = job.params as DurableProbeParams;
    const planned = plannedStepRuns(params, job.maxRetries);
    const interruptions = ledger.interruptions.get(job.id) ?? [];
    const unplanned = Math.max(0, interruptions.length - (params.fault === 'zombie-step' ? 1 : 0));
    figures.unplannedInterruptions += unplanned;
    const completedRun: Record<string, StepRun | undefined> = {};
    let surplus = 0;
    for (let n = 1; n <= params.steps; n++) {
      const key = `${job.id}#${n}`;
      const runs = ledger.stepRuns.get(key) ?? [];
      const storedAt = ledger.stepStoredAt.get(key);
      figures.stepRuns += runs.length;
      figures.plannedStepRuns += planned[n] ?? 0;
      for (const run of runs)
        if (storedAt !== undefined && run.startedAt > storedAt)
          say(
            'step functions run again after their completion was stored',
            `${job.id} step ${n} in attempt ${run.attempt}.${run.continuation}`,
          );
      const missing = (planned[n] ?? 0) - runs.length;
      // An unplanned interruption moves the attempts on, so a failure planned for an attempt may not happen.
      if (missing > 0 && job.status === 'completed' && unplanned === 0)
        say('step runs missing', `${job.id} step ${n}: ${runs.length} of ${planned[n]} planned runs`);
      surplus += Math.max(0, -missing);
      // The run that stored it: the last that returned before the store accepted its record (unknown when
      // that write's answer was cut off by a soak's stop: then the last that returned).
      const storedBy = storedAt ?? Number.POSITIVE_INFINITY;
      completedRun[n] = runs.filter((run) => run.outcome === 'returned' && run.startedAt <= storedBy).at(-1);
    }
    if (surplus > unplanned)
      say(
        'step runs beyond the plan, unexplained',
        `${job.id} (${params.fault ?? 'none'}): ${surplus} more than planned, ${unplanned} unplanned interruption(s) [${interruptions.join(', ')}]`,
      );
    const invocations = [...ledger.durableRuns.keys()].filter((key) => key.startsWith(`${job.id}#`));
    const continued = invocations.some((key) => !key.endsWith('#0'));
    if (continued) figures.jobsContinued += 1;
    // (An interrupted attempt may have run the first steps, and the next one the rest without continuing.)
    if (params.budgetMs !== undefined && job.status === 'completed' && !continued && unplanned === 0)
      say('jobs planned to continue that never did', job.id);
    if (job.status === 'completed') checkResult(job, params, completedRun, say);
  }
  return {
    problems: Object.entries(problems).map(
      ([what, list]) => `${list.length} ${what}: ${list.slice(0, 8).join('; ')}`,
    ),
    figures,
  };
}

/** A completed job's result and step records: every step, each from the run whose record was stored. */
function checkResult(
  job: Job,
  params: DurableProbeParams,
  completedRun: Record<string, StepRun | undefined>,
  say: (what: string, detail: string) => void,
): void {
  const result = (job.result as { steps?: Record<string, StepOutcome> } | null)?.steps ?? {};
  const records = job.steps ?? [];
  const names = Array.from({ length: params.steps }, (_, i) => String(i + 1));
  if (
    records.map((step) => `${step.name}:${step.status}`).join() !== names.map((n) => `${n}:completed`).join()
  )
    say(
      'completed jobs whose step records are not every step, completed, in order',
      `${job.id}: ${records.map((step) => `${step.name}:${step.status}`).join(' ')}`,
    );
  for (const name of names) {
    const got = result[name];
    const run = completedRun[name];
    const record = records.find((step) => step.name === name);
    if (!got || !run || got.attempt !== run.attempt || got.continuation !== run.continuation)
      say(
        'step results not from the run that stored them',
        `${job.id} step ${name}: result ${JSON.stringify(got)}, run ${run ? `${run.attempt}.${run.continuation}` : 'none'}`,
      );
    else if (record && (record.attempt !== run.attempt || record.continuation !== run.continuation))
      say(
        'step records not matching the run that completed them',
        `${job.id} step ${name}: record ${record.attempt}.${record.continuation}, run ${run.attempt}.${run.continuation}`,
      );
  }
}
