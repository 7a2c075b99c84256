/**
 * The built-in `demo` agent of the contract: echo, sleep (with progress and prompt cancellation), fail,
 * and steps (durable steps across retries and continuations).
 */
import { PermanentJobError, TransientJobError } from '../core/errors.ts';
import * as z from '../core/zod.ts';
import { blob } from './demo-blob.ts';
import { type Agent, command } from './registry.ts';

/** Resolves after `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const demoAgent: Agent = {
  blob,
  echo: command({
    description: 'Returns its value unchanged.',
    params: z.object({ value: z.optional(z.unknown()) }),
    run: async ({ value }) => ({ value: value ?? null }),
  }),
  sleep: command({
    description:
      'Sleeps for `seconds`, reporting progress after each of `steps` steps; stops promptly when cancelled.',
    params: z.object({
      seconds: z.number().check(z.minimum(0), z.maximum(840)),
      steps: z._default(z.int().check(z.minimum(1), z.maximum(100)), 10),
    }),
    run: async ({ seconds, steps }, { progress, signal }) => {
      progress(0, 'sleeping', `0/${steps}`);
      for (let step = 1; step <= steps; step++) {
        await sleep((seconds * 1000) / steps, signal);
        progress(Math.round((step / steps) * 100), 'sleeping', `${step}/${steps}`);
      }
      return { slept: seconds };
    },
  }),
  steps: command({
    description:
      'Runs durable steps "1" to `steps`, each sleeping `secondsPerStep` with progress; step `failAtStep` throws a transient error in the first `failTimes` attempts that run it (default 1). The result says in which attempt and continuation each step ran.',
    durable: true,
    params: z.object({
      steps: z.int().check(z.minimum(1), z.maximum(50)),
      secondsPerStep: z.number().check(z.minimum(0), z.maximum(60)),
      failAtStep: z.optional(z.int().check(z.minimum(1), z.maximum(50))),
      failTimes: z._default(z.int().check(z.minimum(0)), 1),
    }),
    run: async ({ steps, secondsPerStep, failAtStep, failTimes }, ctx) => {
      const runs: Record<string, { attempt: number; continuation: number }> = {};
      for (let n = 1; n <= steps; n++) {
        runs[String(n)] = await ctx.step(String(n), async () => {
          ctx.progress(Math.round(((n - 1) / steps) * 100), `step ${n}`, `${n - 1}/${steps}`);
          await sleep(secondsPerStep * 1000, ctx.signal);
          if (n === failAtStep && ctx.attempt <= failTimes)
            throw new TransientJobError(
              `demo/steps step ${n} failing in attempt ${ctx.attempt}`,
              'demo_transient',
            );
          return { attempt: ctx.attempt, continuation: ctx.continuation };
        });
        ctx.progress(Math.round((n / steps) * 100), `step ${n}`, `${n}/${steps}`);
      }
      return { runs };
    },
  }),
  fail: command({
    description:
      'Fails with a transient error on each of its first `times` runs, then returns; `permanent: true` fails for good on the first run.',
    params: z.object({ times: z.int().check(z.minimum(0)), permanent: z.optional(z.boolean()) }),
    run: async ({ times, permanent }, { attempt }) => {
      if (permanent) throw new PermanentJobError('demo/fail was asked to fail permanently', 'demo_permanent');
      if (attempt <= times)
        throw new TransientJobError(`demo/fail run ${attempt} of ${times} failing`, 'demo_transient');
      return { attempts: attempt };
    },
  }),
};
