/** `jobs metrics`: the metrics history (`GET /queue/metrics`), one line per point. */
import type { MetricsHistory } from '@tiered-job-queue/client';
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';

const STEPS = { '1m': 60, '5m': 300, '1h': 3600 } as const;
const ms = (value: number | null) => (value === null ? '-' : String(value));

export function metricsText(history: MetricsHistory): string {
  return table([
    [
      'TIME',
      'SUBMITTED',
      'STARTED',
      'COMPLETED',
      'FAILED',
      'DEAD',
      'CANCELLED',
      'AVG QUEUE MS',
      'AVG RUN MS',
    ],
    ...history.points.map((p) => [
      p.t,
      ...[p.submitted, p.started, p.completed, p.failed, p.dead, p.cancelled].map(String),
      ms(p.avgQueueTimeMs),
      ms(p.avgExecutionTimeMs),
    ]),
  ]);
}

const stepOf = (value: string): 60 | 300 | 3600 => {
  const step = STEPS[value as keyof typeof STEPS];
  if (!step) throw new InvalidArgumentError('one of 1m, 5m, 1h');
  return step;
};

export function register(program: Command, ctx: CliContext): void {
  program
    .command('metrics')
    .description('throughput and latency history (default: the last hour by minute)')
    .option('--from <iso>', 'start (default: one hour before --to)')
    .option('--to <iso>', 'end (default: now)')
    .option('--step <step>', 'point width: 1m, 5m or 1h', stepOf, 60)
    .option('--tier <tier>', 'only this tier')
    .option('--type <type>', 'only this agent type')
    .action(
      async (options: {
        from?: string;
        to?: string;
        step: 60 | 300 | 3600;
        tier?: string;
        type?: string;
      }) => {
        const history = await ctx.client().metrics({
          from: options.from,
          to: options.to,
          step: options.step,
          tier: options.tier as 'critical' | 'high' | 'normal' | 'low' | undefined,
          type: options.type,
        });
        if (ctx.json) ctx.outJson(history);
        else ctx.out(metricsText(history));
      },
    );
}
