/** What the maintenance functions (scheduled, and the admin routes) need. */
import { systemClock } from '../core/clock.ts';
import type { MaintenanceDeps } from '../usecases/maintenance.ts';
import { maintenanceTimings } from './config.ts';
import { dispatcher } from './dispatcher.ts';
import { logger } from './logger.ts';
import { jobStore } from './store.ts';
import { tierControl } from './tier-control.ts';

export const maintenanceDeps: MaintenanceDeps = {
  store: jobStore,
  dispatcher,
  clock: systemClock,
  logger,
  tiers: tierControl,
  ...maintenanceTimings(),
};
