/** `jobs submit <type>/<command> [options] [--wait | --watch]`: prints the job id (or follows the job). */
import type { SubmitJobBody } from '@tiered-job-queue/client';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { follow, waitFor } from '../follow.ts';
import { idList, integer, jsonObject } from '../parse.ts';

interface SubmitOptions {
  params?: Record<string, unknown>;
  priority?: number;
  delay?: number;
  runAt?: string;
  deadline?: string;
  dependsOn?: string[];
  maxRetries?: number;
  timeout?: number;
  idempotencyKey?: string;
  wait?: boolean;
  watch?: boolean;
}

export function submitBody(agent: string, options: SubmitOptions): SubmitJobBody {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(agent);
  if (!match) throw new UsageError(`expected <type>/<command>, e.g. demo/sleep, got "${agent}"`);
  const [, type, command] = match as unknown as [string, string, string];
  return {
    type,
    command,
    ...(options.params && { params: options.params }),
    ...(options.priority !== undefined && { priority: options.priority }),
    ...(options.delay !== undefined && { delaySeconds: options.delay }),
    ...(options.runAt && { runAt: options.runAt }),
    ...(options.deadline && { deadline: options.deadline }),
    ...(options.dependsOn && { dependsOn: options.dependsOn }),
    ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }),
    ...(options.timeout !== undefined && { timeoutSeconds: options.timeout }),
    ...(options.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
  };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('submit')
    .description('submit a job; prints its id, or follows it with --wait/--watch')
    .argument('<agent>', 'type/command, e.g. demo/sleep')
    .option('--params <json>', 'params as a JSON object', jsonObject)
    .option('--priority <n>', 'priority 1-10 (5)', integer)
    .option('--delay <seconds>', 'start after this many seconds', integer)
    .option('--run-at <iso>', 'start at this time')
    .option('--deadline <iso>', 'fail if not started by then')
    .option('--depends-on <ids>', 'comma-separated job ids to wait for', idList)
    .option('--max-retries <n>', 'retries after transient errors (3)', integer)
    .option('--timeout <seconds>', 'time limit of one run (300)', integer)
    .option('--idempotency-key <key>', 'a repeated key returns the original job')
    .addOption(new Option('--wait', 'wait for the job to end; exit 1 unless it completed').conflicts('watch'))
    .addOption(new Option('--watch', 'show live progress until the job ends; exit 1 unless it completed'))
    .action(async (agent: string, options: SubmitOptions) => {
      const job = await ctx.client().submit(submitBody(agent, options));
      if (options.watch) return follow(ctx, job.id);
      if (options.wait) return waitFor(ctx, job.id);
      if (ctx.json) ctx.outJson({ job });
      else ctx.out(job.id);
    });
}
