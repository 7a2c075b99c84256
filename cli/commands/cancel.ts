/** `jobs cancel ID`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .description('cancel a job (a running one becomes cancelling)')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const job = await ctx.client().cancel(id);
      if (ctx.json) ctx.outJson({ job });
      else ctx.out(`${job.id} ${job.status}`);
    });
}
