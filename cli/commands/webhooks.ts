/** `jobs webhooks ls|add|rm|test|deliveries`: the caller's webhook notifications. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

const JOB_EVENTS = ['job.completed', 'job.failed', 'job.dead', 'job.cancelled'] as const;
type JobEvent = (typeof JOB_EVENTS)[number];

function parseEvents(list: string | undefined): JobEvent[] | undefined {
  if (list === undefined) return undefined;
  const events = list.split(',').map((event) => event.trim());
  for (const event of events)
    if (!(JOB_EVENTS as readonly string[]).includes(event))
      throw new UsageError(`unknown event "${event}" (one of ${JOB_EVENTS.join(', ')})`);
  return events as JobEvent[];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive whole number, got "${value}"`);
  return n;
}

export function register(program: Command, ctx: CliContext): void {
  const webhooks = program.command('webhooks').description("signed notifications of your jobs' events");

  webhooks
    .command('ls')
    .description('list your webhooks')
    .action(async () => {
      const list = await ctx.client().webhooks();
      if (ctx.json) ctx.outJson({ webhooks: list });
      else
        for (const w of list)
          ctx.out([w.id, w.url, w.events.join(','), w.description ?? ''].join('\t').trimEnd());
    });

  webhooks
    .command('add')
    .description('register a webhook; prints its id and its secret (shown only once)')
    .argument('<url>', 'https URL (http allowed locally)')
    .option('--events <list>', `comma-separated, default all: ${JOB_EVENTS.join(',')}`)
    .option('--description <text>', 'a note for yourself')
    .action(async (url: string, options: { events?: string; description?: string }) => {
      const events = parseEvents(options.events);
      const created = await ctx.client().createWebhook({
        url,
        ...(events && { events }),
        ...(options.description !== undefined && { description: options.description }),
      });
      if (ctx.json) return ctx.outJson(created);
      ctx.out(created.webhook.id);
      ctx.out(created.secret);
      ctx.say(
        'keep the secret (second line): it verifies the webhook-signature header and is not shown again',
      );
    });

  webhooks
    .command('rm')
    .description('remove a webhook')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      await ctx.client().deleteWebhook(id);
      if (!ctx.json) ctx.out(`removed ${id}`);
    });

  webhooks
    .command('test')
    .description('send a webhook.test event')
    .argument('<id>', 'webhook id')
    .action(async (id: string) => {
      const delivery = await ctx.client().testWebhook(id);
      if (ctx.json) ctx.outJson({ delivery });
      else ctx.out(`${delivery.id} ${delivery.status}`);
    });

  webhooks
    .command('deliveries')
    .description("a webhook's deliveries, newest first")
    .argument('<id>', 'webhook id')
    .option('--limit <n>', 'at most this many (1-100, default 20)', positiveInt)
    .action(async (id: string, options: { limit?: number }) => {
      const deliveries = await ctx
        .client()
        .webhookDeliveries(id, options.limit === undefined ? {} : { limit: options.limit });
      if (ctx.json) ctx.outJson({ deliveries });
      else
        for (const d of deliveries)
          ctx.out(
            [
              d.at,
              d.id,
              d.event,
              d.jobId ?? '-',
              d.status,
              `attempt ${d.attempt}`,
              d.responseStatus ?? '-',
            ].join('\t'),
          );
    });
}
