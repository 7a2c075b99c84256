/** `jobs stats`: counts by status and tier depths (an admin token sees every user's jobs). */
import type { QueueStats } from '@tiered-job-queue/client';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

export function statsText(stats: QueueStats): string {
  const statuses = Object.entries(stats.byStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const tiers = Object.entries(stats.tiers).map(([tier, t]) => [
    ...[tier, t.queued, t.inFlight, t.delayed, t.deadLettered, t.maxConcurrency].map(String),
    t.paused ? 'paused' : 'running',
  ]);
  return [
    `jobs      ${stats.total}${statuses && ` (${statuses})`}`,
    `avg queue ${ms(stats.avgQueueTimeMs)}, avg run ${ms(stats.avgExecutionTimeMs)}, past deadline ${stats.pastDeadline}`,
    '',
    table([['TIER', 'QUEUED', 'IN FLIGHT', 'DELAYED', 'DLQ', 'MAX CONCURRENCY', 'STATE'], ...tiers]),
  ].join('\n');
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('queue statistics')
    .action(async () => {
      const stats = await ctx.client().stats();
      if (ctx.json) ctx.outJson(stats);
      else ctx.out(statsText(stats));
    });
}
