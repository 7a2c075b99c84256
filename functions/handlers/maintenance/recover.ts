/**
 * Every minute (EventBridge rule): start the jobs of due schedules, bury the jobs whose messages reached a
 * dead-letter queue, recover jobs whose worker died, dispatch due scheduled jobs, re-send lost
 * messages, move jobs near their deadline up a tier. Stops before its timeout; the next run goes on.
 */
import type { Context } from 'aws-lambda';
import { type ScheduledSweepReport, scheduledSweep } from '../../usecases/scheduled-sweep.ts';
import { outOfTimeFor, SCHEDULED_MARGIN_MS } from '../../usecases/time-budget.ts';
import { deadLetterQueues } from '../../wiring/dead-letter-queues.ts';
import { logger } from '../../wiring/logger.ts';
import { maintenanceDeps } from '../../wiring/maintenance-deps.ts';
import { scheduleRunDeps } from '../../wiring/schedule-run-deps.ts';

export async function handler(_event?: unknown, context?: Context): Promise<ScheduledSweepReport> {
  const report = await scheduledSweep({
    ...maintenanceDeps,
    schedules: scheduleRunDeps,
    deadLetters: deadLetterQueues,
    outOfTime: outOfTimeFor(context, SCHEDULED_MARGIN_MS),
  });
  if (report.recovered + report.dispatched + report.promoted + report.scheduled + report.deadLettered > 0)
    logger.info('maintenance', { ...report });
  return report;
}
