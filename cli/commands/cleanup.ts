/** `jobs cleanup [--days N]` (admin): delete finished jobs older than N days. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { integer } from '../parse.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cleanup')
    .description('delete finished jobs older than --days (admin)')
    .option('--days <n>', 'age in days, 1-365 (30)', integer)
    .action(async (options: { days?: number }) => {
      const result = await ctx
        .client({ admin: true })
        .cleanup(options.days === undefined ? {} : { days: options.days });
      if (ctx.json) ctx.outJson(result);
      else ctx.out(`deleted ${result.deleted}`);
    });
}
