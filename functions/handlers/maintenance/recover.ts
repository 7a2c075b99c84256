/**
 * Every minute (EventBridge rule): start the jobs of due schedules, bury the jobs whose messages reached a
 * dead-letter queue, recover jobs whose worker died, dispatch due scheduled jobs, re-send lost
 * messages, move jobs near their deadline up a tier, and keep the webhook delivery queue's event source on
 * exactly while some webhook exists. Stops before its timeout; the next run goes on.
 */
import type { Context } from 'aws-lambda';
import { type ScheduledSweepReport, scheduledSweep } from '../../usecases/scheduled-sweep.ts';
import { outOfTimeFor, SCHEDULED_MARGIN_MS } from '../../usecases/time-budget.ts';
import { deadLetterQueues } from '../../wiring/dead-letter-queues.ts';
import { logger } from '../../wiring/logger.ts';
import { maintenanceDeps } from '../../wiring/maintenance-deps.ts';
import { scheduleRunDeps } from '../../wiring/schedule-run-deps.ts';
import { deliverySourceDeps } from '../../wiring/webhook-delivery-source.ts';

export async function handler(_event?: unknown, context?: Context): Promise<ScheduledSweepReport> {
  const report = await scheduledSweep({
    ...maintenanceDeps,
    schedules: scheduleRunDeps,
    deadLetters: deadLetterQueues,
    webhookDeliveries: deliverySourceDeps,
    outOfTime: outOfTimeFor(context, SCHEDULED_MARGIN_MS),
  });
  const switched = report.webhookDeliveries === 'enable' || report.webhookDeliveries === 'disable';
  if (
    report.recovered + report.dispatched + report.promoted + report.scheduled + report.deadLettered > 0 ||
    switched
  )
    logger.info('maintenance', { ...report });
  return report;
}
