/** `jobs count [--status S] [--type T]`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('count')
    .description('count your jobs')
    .option('--status <status>', 'only jobs in this status')
    .option('--type <type>', 'only jobs of this agent type')
    .action(async (options: { status?: string; type?: string }) => {
      const count = await ctx.client().count({
        ...(options.status && { status: options.status as never }),
        ...(options.type && { type: options.type }),
      });
      if (ctx.json) ctx.outJson({ count });
      else ctx.out(String(count));
    });
}
