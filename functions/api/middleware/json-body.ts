/** Parses a JSON request body with a size limit: 413 over the limit, 400 when it is not JSON. */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '../../core/errors.ts';

export type JsonBodyEvent = APIGatewayProxyEventV2 & { json?: unknown };

const defaults = { limitBytes: 256 * 1024, required: false };

export function jsonBody(options: Partial<typeof defaults> = {}): middy.MiddlewareObj<JsonBodyEvent> {
  const { limitBytes, required } = { ...defaults, ...options };
  if (!Number.isInteger(limitBytes) || limitBytes <= 0)
    throw new TypeError('limitBytes must be a positive integer');
  const jsonBodyBefore: middy.MiddlewareFn<JsonBodyEvent> = async (request) => {
    const { body, isBase64Encoded } = request.event;
    const text =
      body === undefined ? '' : isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    if (Buffer.byteLength(text) > limitBytes) throw new PayloadTooLargeError(limitBytes);
    if (text.trim() === '') {
      if (required) throw new ValidationError([{ path: '(body)', message: 'a JSON object is required' }]);
      request.event.json = {};
      return;
    }
    try {
      request.event.json = JSON.parse(text);
    } catch {
      throw new ValidationError([{ path: '(body)', message: 'is not valid JSON' }]);
    }
  };
  return { before: jsonBodyBefore };
}
