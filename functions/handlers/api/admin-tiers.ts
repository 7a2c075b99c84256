/**
 * POST /admin/tiers/{tier}/pause and /resume (admin): store the tier's state and switch its event source.
 * An unknown tier is a 400 validation_error naming `tier`.
 */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { tierSchema } from '../../api/tier-schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { setTierPaused } from '../../usecases/tier-pause.ts';
import { logger } from '../../wiring/logger.ts';
import { tierPauseDeps } from '../../wiring/tier-pause-deps.ts';

export const handler = httpHandler({ access: 'admin', logger }, async ({ event, path }) => {
  const tier = parseInput(tierSchema, path.tier, 'tier');
  const paused = event.routeKey.endsWith('/pause');
  const result = await setTierPaused(tierPauseDeps, tier, paused);
  logger.info(paused ? 'tier paused' : 'tier resumed', { tier });
  return json(200, result);
});
