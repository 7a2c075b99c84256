/**
 * Request and response schemas of the HTTP API. The same zod schemas validate requests and generate the
 * OpenAPI document, so the two cannot drift apart.
 */
import { z } from 'zod';
import { JOB_STATUSES } from '../core/job.ts';
import { MAX_JSON_DEPTH, MAX_PARAMS_BYTES } from '../core/limits.ts';
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY, TIERS } from '../core/tiers.ts';

/** The longest a job may run: the worker Lambda's 900 s less a margin to record the outcome. */
export const MAX_TIMEOUT_SECONDS = 840;
/** Scheduling further ahead than this is almost certainly a mistake. */
export const MAX_SCHEDULE_AHEAD_SECONDS = 365 * 24 * 3600;
export const MAX_DEPENDENCIES = 20;

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-" and "." only');
const isoDate = z.iso.datetime({ offset: true });

/** Every option of a job submission except what it runs. */
export const jobOptionsSchema = z.object({
  params: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      `At most ${MAX_PARAMS_BYTES} bytes as compact JSON (else 413 payload_too_large) and ${MAX_JSON_DEPTH} levels deep (else 400 validation_error).`,
    ),
  priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY).default(DEFAULT_PRIORITY),
  delaySeconds: z.number().int().min(0).max(MAX_SCHEDULE_AHEAD_SECONDS).optional(),
  runAt: isoDate.optional(),
  deadline: isoDate.optional(),
  dependsOn: z.array(z.string().min(1).max(64)).max(MAX_DEPENDENCIES).default([]),
  maxRetries: z.number().int().min(0).max(10).default(3),
  retryDelaySeconds: z.number().int().min(1).max(3600).default(30),
  timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).default(300),
  idempotencyKey: z.string().min(1).max(128).optional(),
});

const exclusiveDelay = <T extends { delaySeconds?: number | undefined; runAt?: string | undefined }>(
  value: T,
) => !(value.delaySeconds !== undefined && value.runAt !== undefined);
const delayMessage = { message: 'give delaySeconds or runAt, not both', path: ['runAt'] };

export const submitJobSchema = jobOptionsSchema
  .extend({ type: name, command: name })
  .strict()
  .refine(exclusiveDelay, delayMessage);
export const submitAgentJobSchema = jobOptionsSchema.strict().refine(exclusiveDelay, delayMessage);
export type SubmitJobInput = z.output<typeof submitJobSchema>;

export const jobIdSchema = z.string().min(1).max(64);
export const agentPathSchema = z.object({ type: name, command: name });

export const listJobsQuerySchema = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  type: name.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
export const countJobsQuerySchema = listJobsQuerySchema.pick({ status: true, type: true });

export const jobViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    command: z.string(),
    params: z.record(z.string(), z.unknown()),
    priority: z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY),
    tier: z.enum(TIERS),
    status: z.enum(JOB_STATUSES),
    progress: z.object({
      percent: z.number().min(0).max(100),
      stage: z.string().nullable(),
      message: z.string().nullable(),
    }),
    attempt: z.number().int(),
    maxRetries: z.number().int(),
    retryDelaySeconds: z.number().int(),
    result: z.unknown(),
    error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
    runAt: isoDate.nullable(),
    deadline: isoDate.nullable(),
    dependsOn: z.array(z.string()),
    idempotencyKey: z.string().nullable(),
    timeoutSeconds: z.number().int(),
    createdAt: isoDate,
    queuedAt: isoDate.nullable(),
    startedAt: isoDate.nullable(),
    heartbeatAt: isoDate.nullable(),
    completedAt: isoDate.nullable(),
    queueTimeMs: z.number().int().nullable(),
    executionTimeMs: z.number().int().nullable(),
    seq: z.number().int(),
  })
  .meta({ id: 'Job' });

export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: 'Error' });

export const cleanupQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  /** The nextCursor of a run that stopped for time. */
  cursor: z.string().min(1).max(2048).optional(),
});
export const cleanupResponseSchema = z.object({
  deleted: z.number().int(),
  /** False when the run stopped before its time limit; repeat with `cursor` = nextCursor. */
  complete: z.boolean(),
  nextCursor: z.string().nullable(),
});
export const deadJobsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});
export const redriveSchema = z.union([
  z.object({ jobIds: z.array(z.string().min(1).max(64)).min(1).max(100) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
