/** `jobs dead` (admin): dead jobs of all users. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { type PageOptions, pageOptions, printPages } from './pages.ts';

export function register(program: Command, ctx: CliContext): void {
  pageOptions(program.command('dead').description('dead jobs of all users (admin)')).action(
    async (options: PageOptions) => {
      const client = ctx.client({ admin: true });
      await printPages(ctx, options, (cursor) =>
        client.deadPage({
          ...(options.limit !== undefined && { limit: options.limit }),
          ...(cursor && { cursor }),
        }),
      );
    },
  );
}
