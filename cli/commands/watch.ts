/** `jobs watch ID`: live progress until the job ends; exit 0 if it completed, 1 otherwise. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { follow } from '../follow.ts';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description('follow a job live until it ends')
    .argument('<id>', 'job id')
    .action((id: string) => follow(ctx, id));
}
