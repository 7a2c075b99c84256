/** The query and response of `GET /queue/metrics` (API.md "Metrics history"). Written with zod/mini. */
import { METRIC_STEPS } from '../core/metrics.ts';
import { TIERS } from '../core/tiers.ts';
import * as z from '../core/zod.ts';
import { listJobsQuerySchema } from './list-schemas.ts';

const isoDate = z.iso.datetime({ offset: true });
const describe = <T extends z.ZodMiniType>(schema: T, description: string): T => {
  z.globalRegistry.add(schema, { description });
  return schema;
};

export const metricsQuerySchema = z.object({
  from: describe(z.optional(isoDate), 'Default: one hour before `to`.'),
  to: describe(z.optional(isoDate), 'Default: now.'),
  step: describe(
    z._default(z.pipe(z.coerce.number(), z.union(METRIC_STEPS.map((step) => z.literal(step)))), 60),
    'Seconds per point: 60, 300 or 3600. At most 1,440 points per request.',
  ),
  tier: z.optional(z.enum(TIERS)),
  type: listJobsQuerySchema.shape.type,
});

const count = z.number().check(z.int());
export const metricsResponseSchema = z.object({
  step: z.number().check(z.int()),
  points: z.array(
    z
      .object({
        t: isoDate,
        submitted: count,
        started: count,
        completed: count,
        failed: count,
        dead: count,
        cancelled: count,
        avgQueueTimeMs: z.nullable(z.number()),
        avgExecutionTimeMs: z.nullable(z.number()),
      })
      .register(z.globalRegistry, { id: 'MetricPoint' }),
  ),
});
