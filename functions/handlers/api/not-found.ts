/**
 * The HTTP API's `$default` route: any method and path no contract route matches. Answers 404 `not_found`
 * in the contract's error shape (API Gateway's own 404 body would not be).
 */
import { httpHandler } from '../../api/http-handler.ts';
import { NotFoundError } from '../../core/errors.ts';
import { logger } from '../../wiring/logger.ts';

export const handler = httpHandler({ access: 'public', logger }, async ({ event }) => {
  throw new NotFoundError(`No route ${event.requestContext.http.method} ${event.rawPath}`);
});
