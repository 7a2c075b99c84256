/** Shared by `ls` and `dead`: one page (its JSON as the API sent it), or with --all every page in turn. */
import type { JobsPage } from '@tiered-job-queue/client';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { pageText } from '../format.ts';
import { integer } from '../parse.ts';

export interface PageOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

export const pageOptions = (command: Command): Command =>
  command
    .option('--limit <n>', 'jobs per page, 1-100 (50)', integer)
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--all', 'every page, one after another');

export async function printPages(
  ctx: CliContext,
  options: PageOptions,
  fetchPage: (cursor: string | undefined) => Promise<JobsPage>,
): Promise<void> {
  let cursor = options.cursor;
  let first = true;
  do {
    const page = await fetchPage(cursor);
    if (ctx.json) ctx.outJson(page);
    else if (page.jobs.length > 0 || first)
      ctx.out(first ? pageText(page) : pageText(page).split('\n').slice(1).join('\n'));
    first = false;
    cursor = page.nextCursor ?? undefined;
    if (cursor && !options.all && !ctx.json) ctx.say(`more: --cursor ${cursor}`);
  } while (cursor && options.all);
}
