/**
 * The HTTP API's `$default` route: any method and path no contract route matches. Answers 404 `not_found`
 * in the contract's error shape (API Gateway's own 404 body would not be).
 */
import { httpHandler } from '../../api/http-handler.ts';
import { logger } from '../../config/logger.ts';
import { NotFoundError } from '../../core/errors.ts';

export const handler = httpHandler({ access: 'public', logger }, async ({ event }) => {
  throw new NotFoundError(`No route ${event.requestContext.http.method} ${event.rawPath}`);
});
