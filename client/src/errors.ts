/**
 * One error for every failure the client reports. `status` is the HTTP status (0 for network failures and
 * time-outs on this side); `code` is the contract's snake_case code, or one derived from the status when API
 * Gateway itself answered with its `{"message": "..."}` body.
 */
export class JobsApiError extends Error {
  override readonly name = 'JobsApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Codes for API Gateway's own refusals, which carry only `{"message"}`. */
const GATEWAY_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export const codeForStatus = (status: number): string => GATEWAY_CODES[status] ?? `http_${status}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Maps an error body of either shape (or none) to a JobsApiError. */
export function errorFromBody(status: number, body: unknown, statusText = ''): JobsApiError {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.code === 'string') {
    const { code, message, details } = body.error;
    return new JobsApiError(status, code, typeof message === 'string' ? message : code, details);
  }
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : statusText;
  return new JobsApiError(status, codeForStatus(status), message || `HTTP ${status}`);
}

export const networkError = (cause: unknown): JobsApiError =>
  new JobsApiError(0, 'network_error', cause instanceof Error ? cause.message : String(cause), {
    cause: cause instanceof Error ? cause.message : cause,
  });
