/** DELETE /schedules/{id}: 204; the jobs it started are kept. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import type { HttpResult } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { deleteSchedule } from '../../usecases/schedules/manage-schedules.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleStore } from '../../wiring/schedule-store.ts';

export const handler = httpHandler(
  { access: 'user', logger },
  async ({ principal, path }): Promise<HttpResult> => {
    const id = parseInput(jobIdSchema, path.id, 'id');
    await deleteSchedule(scheduleStore, principal.userId, id);
    return { statusCode: 204 };
  },
);
