/** `jobs redrive ID.. | --all` (admin): requeue dead jobs. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('redrive')
    .description('requeue dead jobs (admin)')
    .argument('[ids...]', 'dead job ids')
    .option('--all', 'every dead job')
    .action(async (ids: string[], options: { all?: boolean }) => {
      if (Boolean(options.all) === ids.length > 0) throw new UsageError('give job ids or --all (not both)');
      const result = await ctx.client({ admin: true }).redrive(options.all ? { all: true } : { jobIds: ids });
      if (ctx.json) ctx.outJson(result);
      else ctx.out(`requeued ${result.requeued}`);
    });
}
