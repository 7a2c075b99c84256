/** `jobs ls [--status S] [--type T] [--limit N]`: your jobs, newest first. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { type PageOptions, pageOptions, printPages } from './pages.ts';

export function register(program: Command, ctx: CliContext): void {
  pageOptions(
    program
      .command('ls')
      .description('list your jobs, newest first')
      .option('--status <status>', 'only jobs in this status')
      .option('--type <type>', 'only jobs of this agent type'),
  ).action(async (options: PageOptions & { status?: string; type?: string }) => {
    const client = ctx.client();
    const { status, type, limit } = options;
    await printPages(ctx, options, (cursor) =>
      client.listPage({
        ...(status && { status: status as never }),
        ...(type && { type }),
        ...(limit !== undefined && { limit }),
        ...(cursor && { cursor }),
      }),
    );
  });
}
