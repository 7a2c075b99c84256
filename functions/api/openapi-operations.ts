/**
 * What each handler module takes and answers, for the OpenAPI document: request body and query schemas
 * (the same zod schemas the handlers validate with), success responses, and the error codes it may answer
 * beyond the ones every route shares (see openapi-errors.ts).
 */

import * as z from '../core/zod.ts';
import { metricsQuerySchema, metricsResponseSchema } from './metrics-schemas.ts';
import { scheduleOperations } from './openapi-schedule-operations.ts';
import {
  cleanupQuerySchema,
  cleanupResponseSchema,
  countJobsQuerySchema,
  deadJobsQuerySchema,
  jobViewSchema,
  listJobsQuerySchema,
  redriveSchema,
  submitAgentJobSchema,
  submitJobSchema,
} from './schemas.ts';
import { tierPauseResponseSchema } from './tier-schemas.ts';
import { webhookOperations } from './webhook-operations.ts';

const jobResponse = z.object({ job: jobViewSchema });
const agentsResponse = z.object({
  agents: z.array(
    z.object({
      type: z.string(),
      commands: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          paramsSchema: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
  ),
});

const jobsPage = z.object({ jobs: z.array(jobViewSchema), nextCursor: z.nullable(z.string()) });
const tierStats = z.object({
  queued: z.int(),
  inFlight: z.int(),
  delayed: z.int(),
  deadLettered: z.int(),
  maxConcurrency: z.int(),
  /** Paused (POST /admin/tiers/{tier}/pause): its jobs stay queued, nothing new starts in it. */
  paused: z.boolean(),
});
const queueStatsResponse = z.object({
  byStatus: z.record(z.string(), z.int()),
  total: z.int(),
  tiers: z.object({ critical: tierStats, high: tierStats, normal: tierStats, low: tierStats }),
  avgQueueTimeMs: z.nullable(z.number()),
  avgExecutionTimeMs: z.nullable(z.number()),
  priorityDistribution: z.record(z.string(), z.int()),
  pastDeadline: z.int(),
  /** True when the past-deadline count stopped at its cap of examined jobs: the true count is at least it. */
  pastDeadlineApproximate: z.boolean(),
  /** False for non-admins: the tiers' queued/inFlight/delayed/deadLettered are then 0 (all users' depths are admin-only). */
  tierDepthsVisible: z.boolean(),
});

export interface SuccessResponse {
  description: string;
  /** A JSON body; leave out for a body of another media type (`mediaType`) or none. */
  schema?: z.core.$ZodType;
  /** A body that is not JSON: its media type (the body is a string). */
  mediaType?: string;
  /** Answers with `Location: /jobs/{id}` of the job in the body. */
  location?: boolean;
  /** A redirect: `Location` is a short-lived URL, and there is no body. */
  redirect?: boolean;
}

/** Error codes an operation answers beyond the shared ones, by status. */
export type ErrorCodes = Partial<Record<400 | 403 | 404 | 409 | 429, string[]>>;

export interface Operation {
  description?: string;
  body?: z.core.$ZodType;
  query?: z.ZodMiniObject;
  responses: Record<number, SuccessResponse>;
  errors?: ErrorCodes;
}

const submitted: Operation['responses'] = {
  202: { description: 'Accepted: the job is stored and on its way', schema: jobResponse, location: true },
  200: {
    description: 'A repeated `idempotencyKey` with the same body: the original job',
    schema: jobResponse,
    location: true,
  },
};
const submitErrors: ErrorCodes = {
  400: ['unknown_agent', 'unknown_dependency'],
  403: ['priority_reserved'],
  409: ['idempotency_conflict'],
  429: ['quota_exceeded'],
};

/** GET /jobs/{id}/params and /result: owner or admin (another user's job is a 404 for everyone else). */
function payloadOperation(which: 'params' | 'result'): Operation {
  return {
    description:
      `The job's ${which} as JSON${which === 'result' ? ' (null until it completes)' : ''}; an admin may read any job's. ` +
      `When they are larger than 256 KiB (the job shows \`${which}: null, ${which}Truncated: true\`) the answer ` +
      'is a 303 to a link to the stored JSON that works for 5 minutes, without the Authorization header.',
    responses: {
      200: { description: `The ${which}, as JSON`, schema: z.unknown() },
      303: { description: `The ${which} are kept in S3: follow \`Location\``, redirect: true },
    },
  };
}

export const operations: Record<string, Operation> = {
  health: { responses: { 200: { description: 'Alive', schema: z.object({ ok: z.literal(true) }) } } },
  openapi: {
    responses: {
      200: { description: 'This document (OpenAPI 3.1)', schema: z.record(z.string(), z.unknown()) },
    },
  },
  docs: { responses: { 200: { description: 'A readable reference of this API', mediaType: 'text/html' } } },
  'docs-asset': {
    responses: {
      200: { description: 'The reference page script (Redoc)', mediaType: 'text/javascript' },
    },
  },
  'submit-job': {
    description:
      'Runs `command` of agent `type` with `params`. `delaySeconds` and `runAt` exclude each other. ' +
      'A repeated `idempotencyKey` returns the original job instead of a new one.',
    body: submitJobSchema,
    responses: submitted,
    errors: submitErrors,
  },
  'submit-agent-job': {
    description: 'As `POST /jobs`, with the agent type and command in the path.',
    body: submitAgentJobSchema,
    responses: submitted,
    errors: submitErrors,
  },
  'list-agents': { responses: { 200: { description: 'Registered agents', schema: agentsResponse } } },
  'list-jobs': {
    description: 'Newest first. Pass `nextCursor` back as `cursor` for the next page; null on the last.',
    query: listJobsQuerySchema,
    responses: { 200: { description: 'A page of your jobs', schema: jobsPage } },
  },
  'count-jobs': {
    query: countJobsQuerySchema,
    responses: {
      200: {
        description: 'How many',
        schema: z.object({ count: z.int(), approximate: z.boolean() }),
      },
    },
  },
  'get-job': { responses: { 200: { description: 'The job', schema: jobResponse } } },
  'get-job-params': payloadOperation('params'),
  'get-job-result': payloadOperation('result'),
  'cancel-job': {
    description: 'A waiting job becomes `cancelled`; a running one `cancelling` until its run stops.',
    responses: {
      200: { description: 'Now cancelled, or cancelling if it was running', schema: jobResponse },
    },
    errors: { 409: ['not_cancellable'] },
  },
  'retry-job': {
    description: 'Requeues a failed, dead or cancelled job with a fresh retry budget.',
    responses: { 202: { description: 'Requeued', schema: jobResponse } },
    errors: { 409: ['not_retryable'] },
  },
  'queue-stats': {
    description: 'Admins see all users; others their own jobs.',
    responses: { 200: { description: 'Statistics', schema: queueStatsResponse } },
  },
  'queue-metrics': {
    description:
      'One point per `step` from `from` to `to`, oldest first, zeros where nothing happened; admins see all ' +
      'users, others their own jobs. Kept 30 days. Counted from the jobs stream: the latest point may lag ' +
      'by a few seconds.',
    query: metricsQuerySchema,
    responses: { 200: { description: 'Metrics history', schema: metricsResponseSchema } },
  },
  'admin-recover': {
    responses: {
      200: {
        description: 'What the sweep did',
        schema: z.object({
          recovered: z.int(),
          dispatched: z.int(),
          promoted: z.int(),
          scheduled: z.int(),
        }),
      },
    },
  },
  'admin-cleanup': {
    query: cleanupQuerySchema,
    responses: {
      200: {
        description: 'Deleted; `complete: false` when the run stopped for time (continue with `cursor`)',
        schema: cleanupResponseSchema,
      },
    },
  },
  'admin-dead': {
    query: deadJobsQuerySchema,
    responses: { 200: { description: 'Dead jobs of all users', schema: jobsPage } },
  },
  'admin-redrive': {
    body: redriveSchema,
    responses: { 200: { description: 'Requeued', schema: z.object({ requeued: z.int() }) } },
  },
  'admin-tiers': {
    description:
      'Pause: the tier keeps taking jobs and keeps them `queued` (their messages wait in its queue); nothing ' +
      'new starts in it until it is resumed; running jobs finish. Resume: its workers receive again. The ' +
      'state is stored and shows in `GET /queue/stats` as `tiers[T].paused`. Repeating either is harmless.',
    responses: { 200: { description: 'The tier and its state', schema: tierPauseResponseSchema } },
  },
  ...webhookOperations,
  ...scheduleOperations,
};
