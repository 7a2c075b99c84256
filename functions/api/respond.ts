/** JSON responses in the contract's shapes. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AppError } from '../core/errors.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResult(error: AppError): HttpResult {
  const body = {
    code: error.code,
    message: error.message,
    ...(error.details !== undefined && { details: error.details }),
  };
  return json(error.statusCode, { error: body });
}
