/** POST /admin/recover: run the every-minute maintenance now. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { logger } from '../../config/logger.ts';
import { maintenanceDeps } from '../../config/maintenance-deps.ts';
import { recover } from '../../usecases/maintenance.ts';

export const handler = httpHandler({ access: 'admin', logger }, async () =>
  json(200, await recover(maintenanceDeps)),
);
