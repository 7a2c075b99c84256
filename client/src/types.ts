/**
 * The client's types, taken from the server's own schemas and use cases (type-only imports: nothing of the
 * server is bundled). When the server's shapes change, these follow.
 */

import type { metricsQuerySchema, metricsResponseSchema } from '../../functions/api/metrics-schemas.ts';
import type {
  cleanupQuerySchema,
  cleanupResponseSchema,
  countJobsQuerySchema,
  deadJobsQuerySchema,
  jobViewSchema,
  listJobsQuerySchema,
  redriveSchema,
  submitAgentJobSchema,
  submitJobSchema,
} from '../../functions/api/schemas.ts';
import type * as z from '../../functions/core/zod.ts';
import type { RecoveryReport } from '../../functions/usecases/maintenance.ts';
import type { queueStats } from '../../functions/usecases/queue-stats.ts';

/**
 * A job as the API shows it. Params or a result over 256 KiB are kept in S3 (`params: null,
 * paramsTruncated: true` / `result: null, resultTruncated: true`; read them with `params(id)` and
 * `result(id)`); events also leave a large result out and set `resultTruncated`.
 */
export type Job = z.output<typeof jobViewSchema>;
export type JobStatus = Job['status'];
export type SubmitJobBody = z.input<typeof submitJobSchema>;
export type SubmitAgentJobBody = z.input<typeof submitAgentJobSchema>;
/** `limit` is the page size (1-100); the iterator fetches page after page. */
export type ListJobsQuery = Omit<z.input<typeof listJobsQuerySchema>, 'cursor'>;
export type ListJobsPageQuery = z.input<typeof listJobsQuerySchema>;
export type CountJobsQuery = z.input<typeof countJobsQuerySchema>;
export type DeadJobsQuery = z.input<typeof deadJobsQuerySchema>;
export type RedriveRequest = z.input<typeof redriveSchema>;
export type QueueStats = Awaited<ReturnType<typeof queueStats>>;
/** `GET /queue/metrics`: `from`/`to` as ISO strings, `step` 60, 300 or 3600 seconds, optional tier and type. */
export type MetricsQuery = z.input<typeof metricsQuerySchema>;
export type MetricsHistory = z.output<typeof metricsResponseSchema>;
export type RecoverResult = RecoveryReport;
/** `days` is coerced from the query string on the server; here it is a number. */
export type CleanupQuery = Omit<z.input<typeof cleanupQuerySchema>, 'days'> & { days?: number };
/** `complete: false`: the run stopped for time; call again with `cursor: nextCursor` to go on. */
export type CleanupResult = z.output<typeof cleanupResponseSchema>;

export interface JobsPage {
  jobs: Job[];
  nextCursor: string | null;
}

export interface AgentCommand {
  name: string;
  description: string;
  paramsSchema: Record<string, unknown>;
}
export interface Agent {
  type: string;
  commands: AgentCommand[];
}

/** completed, failed, cancelled and dead: a job in one of these never changes again (until retried). */
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'completed',
  'failed',
  'cancelled',
  'dead',
]);
export const isTerminal = (job: Pick<Job, 'status'>): boolean => TERMINAL_STATUSES.has(job.status);
