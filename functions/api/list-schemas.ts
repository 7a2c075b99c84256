/** The queries of GET /jobs and GET /jobs/count. */
import { JOB_STATUSES } from '../core/job.ts';
import * as z from '../core/zod.ts';
import { name, text } from './schema-parts.ts';

export const listJobsQuerySchema = z.object({
  status: z.optional(z.enum(JOB_STATUSES)),
  type: z.optional(name),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
  cursor: z.optional(text(1, 2048)),
});
export const countJobsQuerySchema = z.pick(listJobsQuerySchema, { status: true, type: true });
