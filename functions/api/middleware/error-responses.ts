/**
 * Maps errors to the contract's error body. Errors meant for callers (`expose`) keep their code and message;
 * anything else is logged and becomes a bare 500 that leaks no stack trace or internal name.
 */
import type middy from '@middy/core';
import type { Logger } from '../../agents/registry.ts';
import { AppError } from '../../core/errors.ts';
import { errorResult, type HttpResult, json } from '../respond.ts';

export interface ErrorResponsesOptions {
  logger: Logger;
}

export function errorResponses(options: ErrorResponsesOptions): middy.MiddlewareObj<unknown, HttpResult> {
  if (!options.logger) throw new TypeError('errorResponses needs a logger');
  const errorResponsesOnError: middy.MiddlewareFn<unknown, HttpResult> = async (request) => {
    const error = request.error;
    if (error instanceof AppError && error.expose) {
      request.response = errorResult(error);
      return;
    }
    options.logger.error('request failed', { error, awsRequestId: request.context.awsRequestId });
    request.response = json(500, {
      error: {
        code: 'internal_error',
        message: `Something went wrong on our side (request ${request.context.awsRequestId})`,
      },
    });
  };
  return { onError: errorResponsesOnError };
}
