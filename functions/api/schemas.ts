/**
 * Every schema of the job routes, requests and responses. The same zod schemas validate requests and
 * generate the OpenAPI document, so the two cannot drift apart. Written with zod/mini (see core/zod.ts).
 *
 * The request schemas live in small modules by route (path-, list-, admin-, submit-schemas.ts), which the
 * handlers import, so a bundle builds only its route's schemas at cold start; this module gathers them
 * for the OpenAPI document and the client's types and adds the responses, which only the document needs.
 * No handler imports it (test/infra/bundle-sizes.test.ts).
 */
import { JOB_STATUSES } from '../core/job.ts';
import { MAX_PRIORITY, MIN_PRIORITY, TIERS } from '../core/tiers.ts';
import * as z from '../core/zod.ts';
import { int, isoDate } from './schema-parts.ts';

export { cleanupQuerySchema, deadJobsQuerySchema, redriveSchema } from './admin-schemas.ts';
export { countJobsQuerySchema, listJobsQuerySchema } from './list-schemas.ts';
export { agentPathSchema, jobIdSchema } from './path-schemas.ts';
export {
  MAX_DEPENDENCIES,
  MAX_SCHEDULE_AHEAD_SECONDS,
  MAX_TIMEOUT_SECONDS,
  type SubmitJobInput,
  submitAgentJobSchema,
  submitJobSchema,
} from './submit-schemas.ts';

export const jobViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    command: z.string(),
    params: z.nullable(z.record(z.string(), z.unknown())).register(z.globalRegistry, {
      description: 'null when over 256 KiB (paramsTruncated is then true)',
    }),
    paramsTruncated: z.optional(z.literal(true)).register(z.globalRegistry, {
      description: 'Present when params are kept in S3: GET /jobs/{id}/params',
    }),
    priority: int(MIN_PRIORITY, MAX_PRIORITY),
    tier: z.enum(TIERS),
    status: z.enum(JOB_STATUSES),
    progress: z.object({
      percent: z.number().check(z.minimum(0), z.maximum(100)),
      stage: z.nullable(z.string()),
      message: z.nullable(z.string()),
    }),
    attempt: int(),
    maxRetries: int(),
    retryDelaySeconds: int(),
    result: z.unknown(),
    resultTruncated: z.optional(z.literal(true)).register(z.globalRegistry, {
      description:
        'Present when result is null because it is in S3 (or left out of a WebSocket frame): GET /jobs/{id}/result',
    }),
    error: z.nullable(z.object({ code: z.string(), message: z.string(), retryable: z.boolean() })),
    runAt: z.nullable(isoDate),
    deadline: z.nullable(isoDate),
    dependsOn: z.array(z.string()),
    idempotencyKey: z.nullable(z.string()),
    /** The schedule that started the job; null when submitted directly. */
    scheduleId: z.nullable(z.string()),
    timeoutSeconds: int(),
    createdAt: isoDate,
    queuedAt: z.nullable(isoDate),
    startedAt: z.nullable(isoDate),
    heartbeatAt: z.nullable(isoDate),
    completedAt: z.nullable(isoDate),
    queueTimeMs: z.nullable(int()),
    executionTimeMs: z.nullable(int()),
    seq: int(),
    /** Durable steps in run order (core/steps.ts). */
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['completed', 'failed']),
        attempt: int(),
        completedAt: isoDate,
        // A result kept in S3 (core/step-results.ts): set, with its size (bytes of JSON). No description
        // registered: every bundle carries the schema's text (test/infra/bundle-sizes.test.ts).
        resultOffloaded: z.optional(z.literal(true)),
        resultBytes: z.optional(int()),
      }),
    ),
    /** Hand-offs to a fresh invocation in the current attempt. */
    continuations: int(),
  })
  .register(z.globalRegistry, { id: 'Job' });

export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
  })
  .register(z.globalRegistry, { id: 'Error' });

export const cleanupResponseSchema = z.object({
  deleted: int(),
  /** False when the run stopped before its time limit; repeat with `cursor` = nextCursor. */
  complete: z.boolean(),
  nextCursor: z.nullable(z.string()),
});
