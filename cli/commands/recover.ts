/** `jobs recover` (admin): run the every-minute maintenance sweep now. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('recover')
    .description('run the maintenance sweep now (admin)')
    .action(async () => {
      const result = await ctx.client({ admin: true }).recover();
      if (ctx.json) ctx.outJson(result);
      else ctx.out(`recovered ${result.recovered}`);
    });
}
