/**
 * The client's types, taken from the server's own schemas and use cases (type-only imports: nothing of the
 * server is bundled). When the server's shapes change, these follow.
 */

import type { metricsQuerySchema, metricsResponseSchema } from '../../functions/api/metrics-schemas.ts';
import type {
  createScheduleSchema,
  listSchedulesQuerySchema,
  scheduleViewSchema,
  updateScheduleSchema,
} from '../../functions/api/schedule-schemas.ts';
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
import type { tierPauseResponseSchema, tierSchema } from '../../functions/api/tier-schemas.ts';
import type {
  createdWebhookSchema,
  createWebhookSchema,
  deliveryViewSchema,
  webhookViewSchema,
} from '../../functions/api/webhook-schemas.ts';
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
/** A priority tier: `critical` (9-10), `high` (7-8), `normal` (4-6), `low` (1-3). */
export type Tier = z.output<typeof tierSchema>;
/** `POST /admin/tiers/{tier}/pause|resume`: the tier and whether it is now paused. */
export type TierPauseResult = z.output<typeof tierPauseResponseSchema>;

/** `POST /webhooks`: url, optional events (default all four job events) and description. */
export type CreateWebhookBody = z.input<typeof createWebhookSchema>;
/** The new webhook and its `whsec_` secret, which the API never shows again. */
export type CreatedWebhook = z.output<typeof createdWebhookSchema>;
export type Webhook = z.output<typeof webhookViewSchema>;
export type WebhookDelivery = z.output<typeof deliveryViewSchema>;

/** A schedule as the API shows it (API.md "Schedules"). */
export type Schedule = z.output<typeof scheduleViewSchema>;
export type CreateScheduleBody = z.input<typeof createScheduleSchema>;
export type UpdateScheduleBody = z.input<typeof updateScheduleSchema>;
/** `limit` is the page size (1-100). */
export type ListSchedulesQuery = z.input<typeof listSchedulesQuerySchema>;
export interface SchedulesPage {
  schedules: Schedule[];
  nextCursor: string | null;
}

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

/**
 * Every status in the order of a job's life (pending … dead): the server's own list (pure data; the one
 * value the client takes from the server's code, so a new status cannot be missing here).
 */
export { JOB_STATUSES } from '../../functions/core/job.ts';

/** completed, failed, cancelled and dead: a job in one of these never changes again (until retried). */
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'completed',
  'failed',
  'cancelled',
  'dead',
]);
export const isTerminal = (job: Pick<Job, 'status'>): boolean => TERMINAL_STATUSES.has(job.status);
