/** GET /schedules: the caller's schedules, paginated by a sealed cursor. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { listSchedulesQuerySchema } from '../../api/schedule-schemas.ts';
import { openCursor, sealCursor } from '../../api/sealed-cursor.ts';
import { parseInput } from '../../api/validate.ts';
import { toScheduleView } from '../../core/schedule.ts';
import { listOwnSchedules } from '../../usecases/schedules/manage-schedules.ts';
import { cursorKey } from '../../wiring/cursor-key.ts';
import { logger } from '../../wiring/logger.ts';
import { scheduleStore } from '../../wiring/schedule-store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, query }) => {
  const input = parseInput(listSchedulesQuerySchema, query);
  // A cursor opens only for the listing it came from: this user's schedules.
  const scope = JSON.stringify(['schedules', principal.userId]);
  const cursor = openCursor(cursorKey, scope, input.cursor);
  const page = await listOwnSchedules(scheduleStore, principal.userId, { limit: input.limit, cursor });
  return json(200, {
    schedules: page.items.map(toScheduleView),
    nextCursor: sealCursor(cursorKey, scope, page.nextCursor),
  });
});
