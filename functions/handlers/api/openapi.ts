/** GET /openapi.json: the OpenAPI document, no auth. Built once per container. */
import { httpHandler } from '../../api/http-handler.ts';
import { openApiDocument } from '../../api/openapi.ts';
import { json } from '../../api/respond.ts';
import { logger } from '../../config/logger.ts';

const document = openApiDocument();

export const handler = httpHandler({ access: 'public', logger }, async () => json(200, document));
