/**
 * `jobs params ID` and `jobs result ID`: a job's params or result as JSON on stdout, whole, also when it is
 * larger than 256 KiB and kept in S3 (`get` then shows where to find it).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('params')
    .description("print a job's params as JSON (whole, also when kept in S3)")
    .argument('<id>', 'job id')
    .action(async (id: string) => ctx.out(JSON.stringify(await ctx.client().params(id))));
  program
    .command('result')
    .description("print a job's result as JSON (whole, also when kept in S3; null until it completes)")
    .argument('<id>', 'job id')
    .action(async (id: string) => ctx.out(JSON.stringify(await ctx.client().result(id))));
}
