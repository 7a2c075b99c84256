/**
 * The fault harness's durable command (`probe/steps`, declared durable): runs steps "1" to `steps` with
 * `ctx.step`, each sleeping `ms` (step "1": `firstMs`, which sets the worker's estimate of the next step's
 * need, so short steps keep a wide margin before a continuation), failing transiently when run in a
 * planned attempt (`failAt`) or for good at `permanentAt`. It records every invocation (attempt and
 * continuation) and every run of a step's function in the ledger; its result is what each step returned
 * (the attempt and continuation in which its function ran). `budgetMs` is read by the injector: the
 * job's worker invocations get that Lambda time limit, so the job continues in fresh invocations.
 */
import { z } from 'zod';
import { sleep } from '../../../functions/agents/demo.ts';
import { type AgentCommand, command } from '../../../functions/agents/registry.ts';
import { PermanentJobError, TransientJobError } from '../../../functions/core/errors.ts';
import { JOB_STATUSES } from '../../../functions/core/job.ts';
import { FAULTS } from './fault-kinds.ts';
import type { Ledger } from './ledger.ts';

export const durableProbeParams = z.object({
  steps: z.number().int().min(1).max(20),
  ms: z.number().int().min(0).max(10_000),
  firstMs: z.number().int().min(0).max(10_000).optional(),
  /** Step `step` throws a transient error when its function runs in attempt `attempt`. */
  failAt: z.array(z.object({ step: z.number().int().min(1), attempt: z.number().int().min(1) })).default([]),
  permanentAt: z.number().int().min(1).optional(),
  budgetMs: z.number().int().min(1000).optional(),
  fault: z.enum(FAULTS).default('none'),
  expect: z.enum(JOB_STATUSES),
  expectCode: z.string().optional(),
});
export type DurableProbeParams = z.input<typeof durableProbeParams>;

/** What each step's function returned: the run that completed it. */
export type StepOutcome = { attempt: number; continuation: number };

export function durableProbe(ledger: Ledger): AgentCommand<typeof durableProbeParams> {
  return command({
    description: 'Fault-harness durable probe: ctx.step runs recorded, planned step failures.',
    durable: true,
    params: durableProbeParams,
    run: async (params, { jobId, attempt, continuation, signal, step, progress }) => {
      ledger.durableRan(jobId, attempt, continuation);
      const results: Record<string, StepOutcome> = {};
      for (let n = 1; n <= params.steps; n++) {
        results[String(n)] = await step(String(n), async () => {
          const run = ledger.stepStarted(jobId, n, attempt, continuation);
          await sleep(n === 1 ? (params.firstMs ?? params.ms) : params.ms, signal);
          if (params.permanentAt === n) {
            run.outcome = 'threw';
            throw new PermanentJobError(`probe step ${n} failing for good`, 'probe_permanent');
          }
          if (params.failAt.some((f) => f.step === n && f.attempt === attempt)) {
            run.outcome = 'threw';
            throw new TransientJobError(`probe step ${n} failing in attempt ${attempt}`, 'probe_transient');
          }
          run.outcome = 'returned';
          return { attempt, continuation };
        });
        progress(Math.round((n / params.steps) * 100), 'steps', `${n}/${params.steps}`);
      }
      return { steps: results };
    },
  });
}

/**
 * The runs of each step's function the plan implies when nothing else interrupts the job: attempt after
 * attempt, stored steps replay, each planned failure costs one more run, a permanent failure ends the job,
 * and a "zombie-step" job's step "2" runs once more (its first run's record is held back, then refused).
 */
export function plannedStepRuns(params: DurableProbeParams, maxRetries: number): number[] {
  const runs = Array.from({ length: params.steps + 1 }, () => 0);
  const stored = new Set<number>();
  if (params.fault === 'zombie-step' && params.steps >= 2) runs[2] = 1;
  for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
    let failed = false;
    for (let n = 1; n <= params.steps && !failed; n++) {
      if (stored.has(n)) continue;
      runs[n] = (runs[n] ?? 0) + 1;
      if (params.permanentAt === n) return runs;
      failed = (params.failAt ?? []).some((f) => f.step === n && f.attempt === attempt);
      if (!failed) stored.add(n);
    }
    if (!failed) return runs;
  }
  return runs;
}
