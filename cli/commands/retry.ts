/** `jobs retry ID`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('retry')
    .description('requeue a failed, dead or cancelled job')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const job = await ctx.client().retry(id);
      if (ctx.json) ctx.outJson({ job });
      else ctx.out(`${job.id} ${job.status}`);
    });
}
