/**
 * The `jobs` program: global settings, one module per command, and the exit codes of API.md (0 success,
 * 1 the job ended failed/dead/cancelled, 2 usage error, 3 API or network error as `code: message` on stderr).
 */
import { JobsApiError } from '@tiered-job-queue/client';
import { Command, CommanderError } from 'commander';
import * as cancel from './commands/cancel.ts';
import * as cleanup from './commands/cleanup.ts';
import * as count from './commands/count.ts';
import * as dead from './commands/dead.ts';
import * as get from './commands/get.ts';
import * as ls from './commands/ls.ts';
import * as metrics from './commands/metrics.ts';
import * as payload from './commands/payload.ts';
import * as recover from './commands/recover.ts';
import * as redrive from './commands/redrive.ts';
import * as retry from './commands/retry.ts';
import * as schedules from './commands/schedules.ts';
import * as stats from './commands/stats.ts';
import * as submit from './commands/submit.ts';
import * as tiers from './commands/tiers.ts';
import * as watch from './commands/watch.ts';
import * as webhooks from './commands/webhooks.ts';
import { CliContext, type Io } from './context.ts';
import { EXIT, UsageError } from './errors.ts';

const COMMANDS = [
  submit,
  get,
  payload,
  ls,
  count,
  watch,
  cancel,
  retry,
  stats,
  metrics,
  dead,
  redrive,
  recover,
  cleanup,
  tiers,
  webhooks,
  schedules,
];

export async function run(argv: string[], io: Io): Promise<number> {
  const program = new Command('jobs')
    .description('Submit, follow and manage jobs of the tiered job queue')
    .option('--api-url <url>', 'HTTP API base URL (JOBS_API_URL, default http://127.0.0.1:3000)')
    .option('--ws-url <url>', 'WebSocket API URL (JOBS_WS_URL, default ws://127.0.0.1:3001)')
    .option('--token <jwt>', 'bearer token (JOBS_TOKEN; locally a demo-user token when unset)')
    .option('--json', "print the API's JSON (one object per line for streams)")
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  const ctx = new CliContext(io, program);
  for (const command of COMMANDS) command.register(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      ctx.say(`error: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof JobsApiError) {
      ctx.say(`${error.code}: ${error.message}`);
      return EXIT.api;
    }
    ctx.say(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.api;
  }
}
