/** POST /admin/dead/redrive: requeue the named dead jobs, or all of them. */

import { redriveSchema } from '../../api/admin-schemas.ts';
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { parseInput } from '../../api/validate.ts';
import { systemClock } from '../../core/clock.ts';
import { redriveDead } from '../../usecases/change-job.ts';
import { dispatcher } from '../../wiring/dispatcher.ts';
import { logger } from '../../wiring/logger.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'admin', logger, body: true }, async ({ body }) => {
  const request = parseInput(redriveSchema, body);
  const requeued = await redriveDead({ store: jobStore, dispatcher, clock: systemClock }, request);
  return json(200, { requeued });
});
