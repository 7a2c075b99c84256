/**
 * What starting a schedule's jobs needs (the sweep in the maintenance run, and the trigger route): the
 * schedule store and the submit dependencies (jobs table, tier queues, quotas).
 */

import { agents } from '../agents/index.ts';
import { systemClock } from '../core/clock.ts';
import type { ScheduleRunDeps } from '../usecases/schedules/run-schedules.ts';
import { dispatcher } from './dispatcher.ts';
import { logger } from './logger.ts';
import { userQuotas } from './quotas.ts';
import { scheduleStore } from './schedule-store.ts';
import { jobStore } from './store.ts';

export const scheduleRunDeps: ScheduleRunDeps = {
  schedules: scheduleStore,
  // A schedule's params fit a job item (at most 256 KiB, manage-schedules.ts), so its jobs never need the
  // payload store: the sweep's bundles stay without the S3 client.
  submit: { store: jobStore, dispatcher, agents, clock: systemClock, logger, quotas: userQuotas() },
  clock: systemClock,
  logger,
};
