/**
 * A test agent whose durable steps return large results (kept in S3 past 16 KiB), registered on the agent
 * registry of a local stack running in this process: `bigsteps/run {steps, bytes, failAtStep?}` runs steps
 * "1" to `steps`, each returning `bytes` characters; step `failAtStep` fails transiently in attempt 1. The
 * result says, per step, the attempt in which it ran and how many characters the agent got back.
 */
import { z } from 'zod';
import { type Agent, command } from '../../functions/agents/registry.ts';
import { TransientJobError } from '../../functions/core/errors.ts';

const bigStepsAgent: Agent = {
  run: command({
    description: 'Durable steps with large results (tests).',
    durable: true,
    params: z.object({
      steps: z.int().min(1).max(10),
      bytes: z.int().min(0).max(5_000_000),
      failAtStep: z.optional(z.int()),
    }),
    run: async ({ steps, bytes, failAtStep }, ctx) => {
      const runs: Record<string, { attempt: number; bytes: number }> = {};
      for (let n = 1; n <= steps; n++) {
        const ran = await ctx.step(String(n), async () => {
          if (n === failAtStep && ctx.attempt === 1)
            throw new TransientJobError(`bigsteps step ${n} failing in attempt 1`, 'test_transient');
          return { attempt: ctx.attempt, data: 'x'.repeat(bytes) };
        });
        runs[String(n)] = { attempt: ran.attempt, bytes: ran.data.length };
      }
      return { runs };
    },
  }),
};

/** Registers `bigsteps` once; call once the local stack has started (as the fault injector does). */
export async function registerBigStepsAgent(): Promise<void> {
  const { agents } = await import('../../functions/agents/index.ts');
  if (!agents.find('bigsteps', 'run')) agents.register('bigsteps', bigStepsAgent);
}
