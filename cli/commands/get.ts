/** `jobs get ID`: one job. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { jobText } from '../format.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('show one job')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const job = await ctx.client().get(id);
      if (ctx.json) ctx.outJson({ job });
      else ctx.out(jobText(job));
    });
}
