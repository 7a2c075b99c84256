/**
 * What starting a schedule's jobs needs (the sweep in the maintenance run, and the trigger route): the
 * schedule store and the submit dependencies (jobs table, tier queues, quotas).
 */
import { systemClock } from '../core/clock.ts';
import type { ScheduleRunDeps } from '../usecases/schedules/run-schedules.ts';
import { logger } from './logger.ts';
import { scheduleStore } from './schedule-store.ts';
import { submitDeps } from './submit-deps.ts';

export const scheduleRunDeps: ScheduleRunDeps = {
  schedules: scheduleStore,
  submit: submitDeps,
  clock: systemClock,
  logger,
};
