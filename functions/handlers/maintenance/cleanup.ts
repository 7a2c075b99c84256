/** Daily (EventBridge rule): delete finished jobs past the retention period, before TTL gets to them. */
import { retentionDays } from '../../config/config.ts';
import { logger } from '../../config/logger.ts';
import { maintenanceDeps } from '../../config/maintenance-deps.ts';
import { cleanup } from '../../usecases/maintenance.ts';

const days = retentionDays();

export async function handler(): Promise<{ deleted: number }> {
  const deleted = await cleanup(maintenanceDeps, days);
  logger.info('cleanup', { deleted, days });
  return { deleted };
}
