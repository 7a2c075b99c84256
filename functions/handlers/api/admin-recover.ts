/** POST /admin/recover: run the every-minute maintenance now (stopping before the function's timeout). */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { recover } from '../../usecases/maintenance.ts';
import { HTTP_MARGIN_MS, outOfTimeFor } from '../../usecases/time-budget.ts';
import { logger } from '../../wiring/logger.ts';
import { maintenanceDeps } from '../../wiring/maintenance-deps.ts';
import { scheduleRunDeps } from '../../wiring/schedule-run-deps.ts';

export const handler = httpHandler({ access: 'admin', logger }, async ({ context }) =>
  json(
    200,
    await recover({
      ...maintenanceDeps,
      schedules: scheduleRunDeps,
      outOfTime: outOfTimeFor(context, HTTP_MARGIN_MS),
    }),
  ),
);
