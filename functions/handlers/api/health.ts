/** GET /health: liveness, no auth. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { logger } from '../../wiring/logger.ts';

export const handler = httpHandler({ access: 'public', logger }, async () => json(200, { ok: true }));
