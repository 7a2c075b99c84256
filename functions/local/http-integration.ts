/**
 * How API Gateway's HTTP API runs a Lambda (integration or authorizer) with its limits, locally:
 * - the function's own timeout ends the invocation as a Lambda error: 500 `{"message":"Internal Server
 *   Error"}` (API Gateway's answer to a failed integration or authorizer);
 * - past the integration timeout (30 s) API Gateway stops waiting: 503 `{"message":"Service Unavailable"}`.
 * The timed-out invocation itself is fenced (see invoke-with-timeout.ts): its later AWS calls fail.
 */
import type { Context } from 'aws-lambda';
import { apiGatewayLimits } from '../../infra/function-settings.ts';
import { FunctionTimeoutError, invokeWithTimeout } from './invoke-with-timeout.ts';

export interface GatewayAnswer {
  statusCode: number;
  body: string;
}

export const INTERNAL_SERVER_ERROR: GatewayAnswer = {
  statusCode: 500,
  body: JSON.stringify({ message: 'Internal Server Error' }),
};
export const SERVICE_UNAVAILABLE: GatewayAnswer = {
  statusCode: 503,
  body: JSON.stringify({ message: 'Service Unavailable' }),
};

export type IntegrationOutcome<R> = { ok: true; result: R } | { ok: false; answer: GatewayAnswer };

export interface IntegrationLimits {
  functionName: string;
  /** The function's configured timeout. */
  functionTimeoutMs: number;
  /** API Gateway's own limit; 30 s for HTTP API integrations. */
  integrationTimeoutMs?: number;
}

export async function invokeIntegration<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
  limits: IntegrationLimits,
): Promise<IntegrationOutcome<R>> {
  const invocation = invokeWithTimeout(handler, event, {
    functionName: limits.functionName,
    timeoutMs: limits.functionTimeoutMs,
  });
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<IntegrationOutcome<R>>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, answer: SERVICE_UNAVAILABLE }),
      limits.integrationTimeoutMs ?? apiGatewayLimits.httpIntegrationTimeoutSeconds * 1000,
    );
  });
  const ran = invocation.result.then(
    (result): IntegrationOutcome<R> => ({ ok: true, result }),
    (error: unknown): IntegrationOutcome<R> => {
      if (error instanceof FunctionTimeoutError) return { ok: false, answer: INTERNAL_SERVER_ERROR };
      throw error;
    },
  );
  try {
    return await Promise.race([ran, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
