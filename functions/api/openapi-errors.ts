/**
 * The error responses of the OpenAPI document. Handlers answer `{"error": {code, message, details?}}`;
 * refusals API Gateway makes itself (authorizer, throttling, payload limit, a failed or timed-out
 * integration) carry its own `{"message"}` body, so those statuses document both shapes.
 */

import * as z from '../core/zod.ts';
import type { ComponentSchemas, JsonSchema } from './openapi-json-schema.ts';
import type { ErrorCodes } from './openapi-operations.ts';
import type { RouteDefinition } from './routes.ts';
import { errorBodySchema } from './schemas.ts';

export const gatewayErrorSchema = z
  .object({ message: z.string().register(z.globalRegistry, { examples: ['Forbidden'] }) })
  .register(z.globalRegistry, {
    id: 'GatewayError',
    description: "API Gateway's own refusal, made before any handler runs.",
  });

const ERROR = { $ref: '#/components/schemas/Error' };
const GATEWAY = { $ref: '#/components/schemas/GatewayError' };
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const either = json({ oneOf: [ERROR, GATEWAY] });

/** `components/responses`: the error responses many routes share. */
export function sharedErrorResponses(schemas: ComponentSchemas, bodyLimitBytes: number) {
  schemas.convert(errorBodySchema, 'output');
  schemas.convert(gatewayErrorSchema, 'output');
  return {
    Unauthorized: {
      description:
        'Missing, invalid or expired bearer token: `unauthorized`. API Gateway refusals: `{"message": "Unauthorized"}`.',
      content: either,
    },
    Forbidden: {
      description:
        'A non-admin on an admin route: `forbidden`. Refused by the authorizer: `{"message": "Forbidden"}`.',
      content: either,
    },
    PayloadTooLarge: {
      description: `A body over ${bodyLimitBytes} bytes: \`payload_too_large\`. Over API Gateway's own limit (10 MB): \`{"message": "Request Entity Too Large"}\`.`,
      content: either,
    },
    UnsupportedMediaType: {
      description: 'A request body that is not `application/json`: `unsupported_media_type`.',
      content: json(ERROR),
    },
    TooManyRequests: {
      description: 'Throttled by API Gateway: `{"message": "Too Many Requests"}`. Retry with backoff.',
      content: json(GATEWAY),
    },
    InternalError: {
      description:
        'Something failed on the server: `internal_error` (no internals are disclosed). A failed function: `{"message": "Internal Server Error"}`.',
      content: either,
    },
    ServiceUnavailable: {
      description: 'The integration did not answer in time: `{"message": "Service Unavailable"}`. Retry.',
      content: json(GATEWAY),
    },
  };
}

const shared = (name: string) => ({ $ref: `#/components/responses/${name}` });

const codeList = (codes: string[]) => codes.map((code) => `\`${code}\``).join(', ');
const withCodes = (summary: string, codes: string[]) => ({
  description: `${summary}: ${codeList(codes)}.`,
  content: json(ERROR),
});

/** The error responses of one route: what its access level, parameters, body and use case can answer. */
export function errorResponsesFor(
  route: RouteDefinition,
  input: { params: boolean; body: boolean },
  errors: ErrorCodes = {},
): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const badRequest = [...(input.params || input.body ? ['validation_error'] : []), ...(errors[400] ?? [])];
  if (badRequest.length > 0)
    responses['400'] = withCodes('The request is not valid (`details` names each bad field)', badRequest);
  if (route.access !== 'public') {
    responses['401'] = shared('Unauthorized');
    responses['403'] = errors[403]
      ? {
          description: `Not allowed for this caller: ${codeList(errors[403])}. Refused by the authorizer: \`{"message": "Forbidden"}\`.`,
          content: either,
        }
      : shared('Forbidden');
  }
  const notFound = [...(route.path.includes('{') ? ['not_found'] : []), ...(errors[404] ?? [])];
  if (notFound.length > 0)
    responses['404'] = withCodes(
      'No such resource of yours (another user\u2019s is not found too)',
      notFound,
    );
  if (errors[409])
    responses['409'] = withCodes('The resource is not in a state that allows this', errors[409]);
  if (input.body) {
    responses['413'] = shared('PayloadTooLarge');
    responses['415'] = shared('UnsupportedMediaType');
  }
  responses['429'] = errors[429]
    ? {
        description: `A per-user quota is reached: ${codeList(errors[429])} (the message names the limit). Throttled by API Gateway: \`{"message": "Too Many Requests"}\`. Retry with backoff.`,
        content: either,
      }
    : shared('TooManyRequests');
  responses['500'] = shared('InternalError');
  responses['503'] = shared('ServiceUnavailable');
  return responses;
}
