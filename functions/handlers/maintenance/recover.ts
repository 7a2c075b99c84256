/**
 * Every minute (EventBridge rule): recover jobs whose worker died, dispatch due scheduled jobs, re-send lost
 * messages, move jobs near their deadline up a tier.
 */
import { logger } from '../../config/logger.ts';
import { maintenanceDeps } from '../../config/maintenance-deps.ts';
import { recover } from '../../usecases/maintenance.ts';

export async function handler(): Promise<Awaited<ReturnType<typeof recover>>> {
  const report = await recover(maintenanceDeps);
  if (report.recovered + report.dispatched + report.promoted > 0) logger.info('maintenance', { ...report });
  return report;
}
