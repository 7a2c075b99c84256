/**
 * Refuses a request body that is not JSON in UTF-8 with 415 `unsupported_media_type` (shared/API.md,
 * Errors): a body needs `content-type: application/json` (a `charset`, if any, must be utf-8) and no
 * `content-encoding` other than identity. A request without a body passes whatever it declares.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../../core/errors.ts';

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message, 415);
  }
}

const JSON_TYPE = 'application/json';

/** The reason the body's declared type or encoding is refused, or null when it is JSON in UTF-8. */
export function mediaTypeProblem(headers: Record<string, string | undefined>): string | null {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity')
    return `content-encoding ${encoding} is not supported; send the JSON body uncompressed`;
  const declared = headers['content-type'];
  if (!declared) return `a request body needs content-type: ${JSON_TYPE}`;
  const [type = '', ...parameters] = declared.split(';').map((part) => part.trim().toLowerCase());
  if (type !== JSON_TYPE) return `content-type ${type || '(empty)'} is not supported; send ${JSON_TYPE}`;
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=').map((part) => part.trim());
    if (name === 'charset' && value.replace(/"/g, '') !== 'utf-8')
      return `charset ${value} is not supported; send ${JSON_TYPE} in utf-8`;
  }
  return null;
}

export function jsonContentType(): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  const jsonContentTypeBefore: middy.MiddlewareFn<APIGatewayProxyEventV2> = async (request) => {
    const { body, headers } = request.event;
    if (body === undefined || body === '') return;
    const problem = mediaTypeProblem(headers ?? {});
    if (problem) throw new UnsupportedMediaTypeError(problem);
  };
  return { before: jsonContentTypeBefore };
}
