/**
 * `watch` and `submit --watch`: a live progress bar with stage and message on a terminal, one line per change
 * when piped, or with --json one WebSocket-style event per line (`job.snapshot` first, then `job.updated`).
 * Ends with the final status and the result or error; the exit code says how the job ended.
 */
import type { Job } from '@tiered-job-queue/client';
import cliProgress from 'cli-progress';
import type { CliContext } from './context.ts';
import { EXIT } from './errors.ts';
import { changeLine, outcomeText } from './format.ts';

interface View {
  update(job: Job): void;
  end(job: Job): void;
}

function barView(ctx: CliContext): View {
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {status} | {stage} {message}',
      stream: ctx.io.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const payload = (job: Job) => ({
    status: job.status,
    stage: job.progress.stage ?? '',
    message: job.progress.message ?? '',
  });
  return {
    update(job) {
      if (!started) bar.start(100, job.progress.percent, payload(job));
      else bar.update(job.progress.percent, payload(job));
      started = true;
    },
    end(job) {
      bar.stop();
      ctx.out(outcomeText(job));
    },
  };
}

function lineView(ctx: CliContext): View {
  return { update: (job) => ctx.out(changeLine(job)), end: (job) => ctx.out(outcomeText(job)) };
}

function jsonView(ctx: CliContext): View {
  let first = true;
  return {
    update(job) {
      ctx.outJson({ type: first ? 'job.snapshot' : 'job.updated', job });
      first = false;
    },
    end: () => undefined,
  };
}

export const exitCodeFor = (job: Job): number => (job.status === 'completed' ? EXIT.ok : EXIT.jobFailed);

export async function follow(ctx: CliContext, id: string): Promise<void> {
  const view = ctx.json
    ? jsonView(ctx)
    : ctx.io.stderr.isTTY && ctx.io.stdout.isTTY
      ? barView(ctx)
      : lineView(ctx);
  const job = await ctx.client().watch(id, (update) => view.update(update)).done;
  if (!job) return;
  view.end(job);
  ctx.exitCode = exitCodeFor(job);
}

/** `--wait`: no live output, then the final job. */
export async function waitFor(ctx: CliContext, id: string): Promise<void> {
  const job = await ctx.client().wait(id);
  if (ctx.json) ctx.outJson({ job });
  else ctx.out(outcomeText(job));
  ctx.exitCode = exitCodeFor(job);
}
