/**
 * Named error classes with a stable `code`. Two families:
 * - request errors (`statusCode`, `expose`): mapped to the contract's error body by the HTTP layer;
 * - job errors (`retryable`): raised by agents or the worker, decide between retry and failure.
 */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Whether the message may be shown to callers; a 5xx never exposes internals. */
  readonly expose: boolean;
  readonly details: unknown;
  constructor(code: string, message: string, statusCode: number, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
    this.expose = statusCode < 500;
    this.details = details;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(issues: FieldIssue[], message = 'The request is not valid') {
    super('validation_error', message, 400, issues);
  }
}
export class BadRequestError extends AppError {
  constructor(message: string) {
    super('bad_request', message, 400);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'A valid bearer token is required') {
    super('unauthorized', message, 401);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'This route is for admins') {
    super('forbidden', message, 403);
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message, 404);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload_too_large', `The request body is larger than ${limitBytes} bytes`, 413);
  }
}
/** Params that would not fit the job's item (core/limits.ts): refused at submission, never stored. */
export class ParamsTooLargeError extends AppError {
  constructor(message: string, limitBytes: number) {
    super('payload_too_large', `params ${message}`, 413, { path: 'params', limitBytes });
  }
}
export class UnknownAgentError extends AppError {
  constructor(type: string, command: string) {
    super('unknown_agent', `No agent command ${type}/${command} is registered`, 400);
  }
}
export class UnknownDependencyError extends AppError {
  constructor(ids: string[]) {
    super('unknown_dependency', `dependsOn names jobs that do not exist: ${ids.join(', ')}`, 400, {
      jobIds: ids,
    });
  }
}
export class IdempotencyConflictError extends AppError {
  constructor(key: string) {
    super('idempotency_conflict', `idempotencyKey ${key} was already used with a different request`, 409);
  }
}
export class NotCancellableError extends AppError {
  constructor(status: string) {
    super('not_cancellable', `A ${status} job cannot be cancelled`, 409);
  }
}
export class NotRetryableError extends AppError {
  constructor(status: string) {
    super('not_retryable', `A ${status} job cannot be retried; only failed, dead or cancelled jobs can`, 409);
  }
}

/** A per-user quota (infra/limits.ts userQuotaDefaults) is reached: 429 `quota_exceeded`. */
export class QuotaExceededError extends AppError {
  constructor(message: string, details: { quota: string; limit: number }) {
    super('quota_exceeded', message, 429, details);
  }
}
/** The operator reserved priorities above `maxPriority` for admins: 403 `priority_reserved`. */
export class PriorityReservedError extends AppError {
  constructor(maxPriority: number) {
    super(
      'priority_reserved',
      `Priorities above ${maxPriority} are reserved for admins on this deployment`,
      403,
      { path: 'priority', maxPriority },
    );
  }
}

/** An error raised while running a job. `retryable` decides between a retry and a failure. */
export class JobError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
  }
}
/** Worth trying again: a rate limit, a flaky dependency, a crash. */
export class TransientJobError extends JobError {
  constructor(message: string, code = 'transient_error', options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}
/** Trying again cannot help: bad input, a refused request. The job fails at once. */
export class PermanentJobError extends JobError {
  constructor(message: string, code = 'permanent_error', options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}
export class JobTimeoutError extends JobError {
  constructor(seconds: number) {
    super('timeout', `The job did not finish within ${seconds} s`, true);
  }
}
export class JobCancelledError extends JobError {
  constructor() {
    super('cancelled', 'The job was cancelled', false);
  }
}

/**
 * Classifies anything an agent threw. Unknown errors are transient: a crash or a bug in a dependency
 * deserves a retry, and the retry budget bounds the cost of being wrong.
 */
export function toJobError(error: unknown): JobError {
  if (error instanceof JobError) return error;
  // zod's parse throws a ZodError; zod/mini's (core/zod.ts) a $ZodError.
  if (error instanceof Error && (error.name === 'ZodError' || error.name === '$ZodError')) {
    return new PermanentJobError(error.message, 'invalid_params', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransientJobError(message || 'The agent failed', 'agent_error', { cause: error });
}
