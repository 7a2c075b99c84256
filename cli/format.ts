/** Human-readable text for jobs and pages (the `--json` output is the API's JSON instead). */
import type { Job, JobsPage } from '@tiered-job-queue/client';

export const progressText = (job: Job): string =>
  [`${Math.round(job.progress.percent)}%`, job.progress.stage, job.progress.message]
    .filter(Boolean)
    .join(' ');

/** The ending of a job: its status and its result or error. */
export function outcomeText(job: Job): string {
  if (job.status === 'completed' && job.resultTruncated)
    return `${job.id} completed (result over 256 KiB: jobs result ${job.id})`;
  if (job.status === 'completed')
    return `${job.id} completed${job.result === undefined ? '' : ` ${JSON.stringify(job.result ?? null)}`}`;
  const error = job.error ? ` ${job.error.code}: ${job.error.message}` : '';
  return `${job.id} ${job.status}${error}`;
}

export const changeLine = (job: Job): string => `${job.id} ${job.status} ${progressText(job)}`;

export function jobText(job: Job): string {
  const rows: Array<[string, unknown]> = [
    ['id', job.id],
    ['agent', `${job.type}/${job.command}`],
    ['status', job.status],
    ['progress', progressText(job)],
    ['priority', `${job.priority} (${job.tier})`],
    ['attempt', `${job.attempt} (max retries ${job.maxRetries})`],
    ['params', job.paramsTruncated ? `(over 256 KiB: jobs params ${job.id})` : JSON.stringify(job.params)],
    ['created', job.createdAt],
    ['started', job.startedAt],
    ['completed', job.completedAt],
    ['runAt', job.runAt],
    ['deadline', job.deadline],
    ['dependsOn', job.dependsOn.join(', ')],
    [
      'result',
      job.resultTruncated
        ? `(over 256 KiB: jobs result ${job.id})`
        : job.result === undefined || job.result === null
          ? null
          : JSON.stringify(job.result),
    ],
    ['error', job.error && `${job.error.code}: ${job.error.message}`],
  ];
  return rows
    .filter(([, value]) => value !== null && value !== '')
    .map(([name, value]) => `${name.padEnd(10)} ${value}`)
    .join('\n');
}

export function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function pageText(page: JobsPage): string {
  const header = ['ID', 'STATUS', 'AGENT', 'PRI', 'PROGRESS', 'CREATED'];
  const rows = page.jobs.map((job) => [
    job.id,
    job.status,
    `${job.type}/${job.command}`,
    String(job.priority),
    progressText(job),
    job.createdAt,
  ]);
  return table([header, ...rows]);
}
