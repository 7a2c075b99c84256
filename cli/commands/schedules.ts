/**
 * `jobs schedules ls|get|add|pause|resume|rm|trigger`: recurring jobs. `add` prints the new schedule's id
 * alone and `trigger` the started job's id alone (like `submit`); `--json` prints the API's JSON.
 */
import type { CreateScheduleBody, Schedule } from '@tiered-job-queue/client';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { integer, jsonObject } from '../parse.ts';
import { submitBody } from './submit.ts';

interface AddOptions {
  cron?: string;
  rate?: string;
  timezone?: string;
  name?: string;
  overlap?: 'skip' | 'allow';
  paused?: boolean;
  params?: Record<string, unknown>;
  priority?: number;
  maxRetries?: number;
  timeout?: number;
}

export const timetableText = (schedule: Schedule): string =>
  schedule.cron ? `cron ${schedule.cron} (${schedule.timezone})` : `every ${schedule.rate}`;

function scheduleText(schedule: Schedule): string {
  const rows: Array<[string, unknown]> = [
    ['id', schedule.id],
    ['name', schedule.name],
    ['runs', timetableText(schedule)],
    ['job', `${schedule.job.type}/${schedule.job.command} ${JSON.stringify(schedule.job.params ?? {})}`],
    ['overlap', schedule.overlap],
    ['paused', String(schedule.paused)],
    ['next run', schedule.nextRunAt],
    ['last run', schedule.lastRunAt],
    ['last job', schedule.lastJobId],
  ];
  return rows
    .filter(([, value]) => value !== null && value !== '')
    .map(([name, value]) => `${name.padEnd(10)} ${value}`)
    .join('\n');
}

export function scheduleBody(agent: string, options: AddOptions): CreateScheduleBody {
  if (Boolean(options.cron) === Boolean(options.rate))
    throw new UsageError('give --cron or --rate (one of them)');
  const { type, command, params, priority, maxRetries, timeoutSeconds } = submitBody(agent, options);
  return {
    ...(options.cron && { cron: options.cron }),
    ...(options.rate && { rate: options.rate }),
    ...(options.timezone && { timezone: options.timezone }),
    ...(options.name && { name: options.name }),
    ...(options.overlap && { overlap: options.overlap }),
    ...(options.paused && { paused: true }),
    job: { type, command, params, priority, maxRetries, timeoutSeconds },
  };
}

export function register(program: Command, ctx: CliContext): void {
  const schedules = program
    .command('schedules')
    .description('recurring jobs: ls, get, add, pause, resume, rm, trigger');
  const show = (schedule: Schedule) =>
    ctx.json ? ctx.outJson({ schedule }) : ctx.out(scheduleText(schedule));

  schedules
    .command('ls')
    .description('your schedules')
    .option('--limit <n>', 'page size (50)', integer)
    .action(async (options: { limit?: number }) => {
      const client = ctx.client();
      if (ctx.json) {
        let cursor: string | undefined;
        do {
          const page = await client.schedules.listPage({ limit: options.limit, cursor });
          ctx.outJson(page);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return;
      }
      const rows = [['ID', 'NAME', 'RUNS', 'JOB', 'PAUSED', 'NEXT RUN', 'LAST RUN']];
      for await (const s of client.schedules.list({ limit: options.limit }))
        rows.push([
          s.id,
          s.name ?? '',
          timetableText(s),
          `${s.job.type}/${s.job.command}`,
          s.paused ? 'yes' : 'no',
          s.nextRunAt ?? '-',
          s.lastRunAt ?? '-',
        ]);
      ctx.out(table(rows));
    });

  schedules
    .command('get')
    .description('show one schedule')
    .argument('<id>', 'schedule id')
    .action(async (id: string) => show(await ctx.client().schedules.get(id)));

  schedules
    .command('add')
    .description('create a schedule; prints its id')
    .argument('<agent>', 'type/command of the job it starts, e.g. demo/echo')
    .option('--cron <expr>', 'five fields, e.g. "*/5 * * * *"')
    .option('--rate <rate>', '"N minutes", "N hours" or "N days"')
    .option('--timezone <tz>', 'IANA time zone of the cron expression (UTC)')
    .option('--name <name>', 'a name to recognise it by')
    .addOption(
      new Option('--overlap <mode>', 'while the previous job is unfinished (skip)').choices([
        'skip',
        'allow',
      ]),
    )
    .option('--paused', 'create it paused')
    .option('--params <json>', 'params of the job as a JSON object', jsonObject)
    .option('--priority <n>', 'priority 1-10 (5)', integer)
    .option('--max-retries <n>', 'retries after transient errors (3)', integer)
    .option('--timeout <seconds>', 'time limit of one run (300)', integer)
    .action(async (agent: string, options: AddOptions) => {
      const schedule = await ctx.client().schedules.create(scheduleBody(agent, options));
      if (ctx.json) ctx.outJson({ schedule });
      else ctx.out(schedule.id);
    });

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    schedules
      .command(name)
      .description(paused ? 'start nothing until resumed' : 'go on from the next due time after now')
      .argument('<id>', 'schedule id')
      .action(async (id: string) => {
        const client = ctx.client();
        show(await (paused ? client.schedules.pause(id) : client.schedules.resume(id)));
      });

  schedules
    .command('rm')
    .description('delete a schedule (the jobs it started are kept)')
    .argument('<id>', 'schedule id')
    .action(async (id: string) => {
      await ctx.client().schedules.delete(id);
      if (!ctx.json) ctx.say(`deleted ${id}`);
    });

  schedules
    .command('trigger')
    .description("start the schedule's job now; prints the job id")
    .argument('<id>', 'schedule id')
    .action(async (id: string) => {
      const job = await ctx.client().schedules.trigger(id);
      if (ctx.json) ctx.outJson({ job });
      else ctx.out(job.id);
    });
}
