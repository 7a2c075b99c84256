/** The requests of the admin routes: GET /admin/dead, POST /admin/redrive, POST /admin/cleanup. */
import * as z from '../core/zod.ts';
import { jobId, text } from './schema-parts.ts';

export const cleanupQuerySchema = z.object({
  days: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(365)), 30),
  /** The nextCursor of a run that stopped for time. */
  cursor: z.optional(text(1, 2048)),
});
export const deadJobsQuerySchema = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
  cursor: z.optional(text(1, 4096)),
});
export const redriveSchema = z.union([
  z.strictObject({ jobIds: z.array(jobId()).check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ all: z.literal(true) }),
]);
