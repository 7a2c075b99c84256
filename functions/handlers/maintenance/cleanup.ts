/**
 * Daily (EventBridge rule): delete finished jobs past the retention period, before TTL gets to them. Stops
 * before its timeout; what is left is deleted by the next run (or by TTL).
 */
import type { Context } from 'aws-lambda';
import { type CleanupReport, cleanupWithin } from '../../usecases/cleanup.ts';
import { outOfTimeFor, SCHEDULED_MARGIN_MS } from '../../usecases/time-budget.ts';
import { retentionDays } from '../../wiring/config.ts';
import { logger } from '../../wiring/logger.ts';
import { maintenanceDeps } from '../../wiring/maintenance-deps.ts';
import { payloadStore } from '../../wiring/payloads.ts';

const days = retentionDays();

export async function handler(_event?: unknown, context?: Context): Promise<CleanupReport> {
  const report = await cleanupWithin(
    { ...maintenanceDeps, payloads: payloadStore },
    {
      days,
      outOfTime: outOfTimeFor(context, SCHEDULED_MARGIN_MS),
    },
  );
  logger.info('cleanup', { ...report, days });
  return report;
}
