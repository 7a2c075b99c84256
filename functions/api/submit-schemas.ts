/**
 * The job submission schemas (POST /jobs, POST /agents/{type}/{command}, a schedule's job). Apart from
 * schemas.ts so that what only submits jobs (POST /jobs, the schedule sweep in maintenance and POST
 * /admin/recover) builds no other schema.
 */
import { INLINE_PARAMS_BYTES, MAX_JSON_DEPTH, MAX_PARAMS_BYTES } from '../core/limits.ts';
import { MAX_DURABLE_TIMEOUT_SECONDS, MAX_INVOCATION_TIMEOUT_SECONDS } from '../core/steps.ts';
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../core/tiers.ts';
import * as z from '../core/zod.ts';
import { int, isoDate, jobId, name, text } from './schema-parts.ts';

/** The longest a job may run: the worker Lambda's 900 s less a margin to record the outcome. */
export const MAX_TIMEOUT_SECONDS = MAX_INVOCATION_TIMEOUT_SECONDS;
/** Scheduling further ahead than this is almost certainly a mistake. */
export const MAX_SCHEDULE_AHEAD_SECONDS = 365 * 24 * 3600;
export const MAX_DEPENDENCIES = 20;

/** Every option of a job submission except what it runs. */
const jobOptionsShape = {
  params: z._default(z.record(z.string(), z.unknown()), {}).register(z.globalRegistry, {
    description: `At most ${MAX_PARAMS_BYTES} bytes as compact JSON (else 413 payload_too_large) and ${MAX_JSON_DEPTH} levels deep (else 400 validation_error); over ${INLINE_PARAMS_BYTES} bytes they are kept in S3 and the job shows \`params: null, paramsTruncated: true\`.`,
  }),
  priority: z._default(int(MIN_PRIORITY, MAX_PRIORITY), DEFAULT_PRIORITY),
  delaySeconds: z.optional(int(0, MAX_SCHEDULE_AHEAD_SECONDS)),
  runAt: z.optional(isoDate),
  deadline: z.optional(isoDate),
  dependsOn: z._default(z.array(jobId()).check(z.maxLength(MAX_DEPENDENCIES)), []),
  maxRetries: z._default(int(0, 10), 3),
  retryDelaySeconds: z._default(int(1, 3600), 30),
  timeoutSeconds: z._default(int(1, MAX_DURABLE_TIMEOUT_SECONDS), 300).register(z.globalRegistry, {
    description: `At most ${MAX_TIMEOUT_SECONDS} s, or ${MAX_DURABLE_TIMEOUT_SECONDS} s (wall time) for a durable command (else 400 validation_error).`,
  }),
  idempotencyKey: z.optional(text(1, 128)),
};

const exclusiveDelay = z.refine<{ delaySeconds?: number | undefined; runAt?: string | undefined }>(
  (value) => !(value.delaySeconds !== undefined && value.runAt !== undefined),
  { message: 'give delaySeconds or runAt, not both', path: ['runAt'] },
);

export const submitJobSchema = z
  .strictObject({ ...jobOptionsShape, type: name, command: name })
  .check(exclusiveDelay);
export const submitAgentJobSchema = z.strictObject(jobOptionsShape).check(exclusiveDelay);
export type SubmitJobInput = z.output<typeof submitJobSchema>;
