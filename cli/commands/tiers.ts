/** `jobs tiers pause|resume TIER` (admin): stop starting a tier's jobs (they stay queued), or start again. */
import type { Tier } from '@tiered-job-queue/client';
import { Argument, type Command } from 'commander';
import type { CliContext } from '../context.ts';

const TIER_NAMES: readonly Tier[] = ['critical', 'high', 'normal', 'low'];

export function register(program: Command, ctx: CliContext): void {
  const tiers = program.command('tiers').description('pause or resume a priority tier (admin)');
  for (const action of ['pause', 'resume'] as const) {
    tiers
      .command(action)
      .description(
        action === 'pause'
          ? 'pause a tier: its jobs stay queued, nothing new starts in it (admin)'
          : 'resume a paused tier (admin)',
      )
      .addArgument(new Argument('<tier>', 'the tier').choices(TIER_NAMES))
      .action(async (tier: Tier) => {
        const client = ctx.client({ admin: true });
        const result = action === 'pause' ? await client.pauseTier(tier) : await client.resumeTier(tier);
        if (ctx.json) ctx.outJson(result);
        else ctx.out(`${result.tier} ${result.paused ? 'paused' : 'running'}`);
      });
  }
}
