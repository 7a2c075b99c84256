/**
 * `jobs cleanup [--days N]` (admin): delete finished jobs older than N days. A run that stops for time answers
 * `complete: false` with a cursor: the command goes on until the cleanup is complete (`--json`: one line per run).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { integer } from '../parse.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cleanup')
    .description('delete finished jobs older than --days (admin)')
    .option('--days <n>', 'age in days, 1-365 (30)', integer)
    .action(async (options: { days?: number }) => {
      const client = ctx.client({ admin: true });
      let deleted = 0;
      let cursor: string | undefined;
      do {
        const result = await client.cleanup({
          ...(options.days !== undefined && { days: options.days }),
          ...(cursor !== undefined && { cursor }),
        });
        if (ctx.json) ctx.outJson(result);
        deleted += result.deleted;
        cursor = result.complete ? undefined : (result.nextCursor ?? undefined);
      } while (cursor !== undefined);
      if (!ctx.json) ctx.out(`deleted ${deleted}`);
    });
}
