/**
 * The agent the fault harness runs: it records each run (job and attempt) in the ledger, works for `ms`
 * with progress after each step, fails transiently on its first `failTimes` attempts or permanently when
 * asked. Its params also carry the job's planned fault and expected end, which the injector reads.
 * `probe/steps` is its durable counterpart (durable-probe.ts).
 */
import { z } from 'zod';
import { sleep } from '../../../functions/agents/demo.ts';
import { type Agent, command } from '../../../functions/agents/registry.ts';
import { PermanentJobError, TransientJobError } from '../../../functions/core/errors.ts';
import { JOB_STATUSES } from '../../../functions/core/job.ts';
import { durableProbe } from './durable-probe.ts';
import { FAULTS } from './fault-kinds.ts';
import type { Ledger } from './ledger.ts';

export { FAULTS, type Fault } from './fault-kinds.ts';

export const probeParams = z.object({
  ms: z.number().int().min(0).max(60_000),
  steps: z.number().int().min(1).max(20).default(1),
  failTimes: z.number().int().min(0).default(0),
  permanent: z.boolean().default(false),
  fault: z.enum(FAULTS).default('none'),
  expect: z.enum(JOB_STATUSES),
  /** The code of the expected error, if the job is expected to end failed or dead. */
  expectCode: z.string().optional(),
});
export type ProbeParams = z.input<typeof probeParams>;

export function probeAgent(ledger: Ledger): Agent {
  return {
    work: command({
      description: 'Fault-harness probe: records its runs, works, fails as told.',
      params: probeParams,
      run: async ({ ms, steps, failTimes, permanent }, { jobId, attempt, progress, signal }) => {
        ledger.agentRan(jobId, attempt);
        for (let step = 1; step <= steps; step++) {
          await sleep(ms / steps, signal);
          progress(Math.round((step / steps) * 100), 'working', `${step}/${steps}`);
        }
        if (permanent) throw new PermanentJobError('probe asked to fail for good', 'probe_permanent');
        if (attempt <= failTimes)
          throw new TransientJobError(`probe run ${attempt} failing`, 'probe_transient');
        return { attempt };
      },
    }),
    steps: durableProbe(ledger),
  };
}
