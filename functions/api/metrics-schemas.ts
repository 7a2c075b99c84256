/** The query and response of `GET /queue/metrics` (API.md "Metrics history"). */
import { z } from 'zod';
import { METRIC_STEPS } from '../core/metrics.ts';
import { TIERS } from '../core/tiers.ts';
import { listJobsQuerySchema } from './schemas.ts';

const isoDate = z.iso.datetime({ offset: true });

export const metricsQuerySchema = z.object({
  from: isoDate.optional().describe('Default: one hour before `to`.'),
  to: isoDate.optional().describe('Default: now.'),
  step: z.coerce
    .number()
    .pipe(z.union(METRIC_STEPS.map((step) => z.literal(step))))
    .default(60)
    .describe('Seconds per point: 60, 300 or 3600. At most 1,440 points per request.'),
  tier: z.enum(TIERS).optional(),
  type: listJobsQuerySchema.shape.type,
});

const count = z.number().int();
export const metricsResponseSchema = z.object({
  step: z.number().int(),
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
        avgQueueTimeMs: z.number().nullable(),
        avgExecutionTimeMs: z.number().nullable(),
      })
      .meta({ id: 'MetricPoint' }),
  ),
});
