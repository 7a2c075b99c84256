/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate requests.
 * Every `$ref` points under `components`, so standard tools (Redocly, Prism, generators) resolve it; the
 * Redocly lint (redocly.yaml) and a validator of all e2e traffic against the served document keep it true.
 */

import * as z from '../core/zod.ts';
import { BODY_LIMIT_BYTES } from './http-handler.ts';
import { errorResponsesFor, sharedErrorResponses } from './openapi-errors.ts';
import { ComponentSchemas, type JsonSchema } from './openapi-json-schema.ts';
import { type Operation, operations, type SuccessResponse } from './openapi-operations.ts';
import { type RouteDefinition, routes } from './routes.ts';
import { agentPathSchema, jobIdSchema } from './schemas.ts';
import { tierSchema } from './tier-schemas.ts';

/** Path parameters the handlers validate, by name; any other is an id of at most 64 characters. */
const pathParamSchemas: Record<string, z.core.$ZodType> = {
  id: jobIdSchema,
  type: agentPathSchema.shape.type,
  command: agentPathSchema.shape.command,
  tier: tierSchema,
};

const TAGS: Record<string, { name: string; description: string }> = {
  jobs: { name: 'Jobs', description: 'Submit, read, list, cancel and retry your jobs.' },
  agents: { name: 'Agents', description: 'The registered agents, their commands and param schemas.' },
  queue: { name: 'Queue', description: 'Queue statistics.' },
  schedules: {
    name: 'Schedules',
    description: 'Recurring jobs: a cron expression in a time zone, or a rate.',
  },
  admin: { name: 'Admin', description: 'Operations for admins (a token with the `admin` role).' },
  webhooks: { name: 'Webhooks', description: "Signed notifications of your jobs' events." },
};
const SERVICE_TAG = { name: 'Service', description: 'Health, this document and its reference page.' };

const tagOf = (path: string) => TAGS[path.split('/')[1] ?? ''] ?? SERVICE_TAG;

const DESCRIPTION = `A priority job queue for long-running agent work.

Authenticate with \`Authorization: Bearer <JWT>\`; each job belongs to the token's \`sub\`, and another user's
job answers 404 like a missing one. Errors from the handlers are \`{"error": {"code", "message", "details"?}}\`;
refusals API Gateway makes itself (authorizer, throttling, size limits, timeouts) are \`{"message"}\`.
Request bodies are JSON (\`application/json\`), at most ${BODY_LIMIT_BYTES} bytes. Live progress: the WebSocket API.`;

function responseOf(response: SuccessResponse, schemas: ComponentSchemas) {
  const content = response.schema
    ? { 'application/json': { schema: schemas.convert(response.schema, 'output') } }
    : response.mediaType
      ? { [response.mediaType]: { schema: { type: 'string' } } }
      : undefined;
  return {
    description: response.description,
    ...(response.location && {
      headers: {
        Location: {
          description: 'The job: `/jobs/{id}`',
          required: true,
          schema: { type: 'string', pattern: '^/jobs/[^/]+$' },
        },
      },
    }),
    ...(response.redirect && {
      headers: {
        Location: {
          description: 'A short-lived URL of the stored JSON',
          required: true,
          schema: { type: 'string', format: 'uri' },
        },
      },
    }),
    ...(content && { content }),
  };
}

function parametersOf(route: RouteDefinition, spec: Operation, schemas: ComponentSchemas) {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    schema: pathParamSchemas[name]
      ? schemas.convert(pathParamSchemas[name], 'input')
      : { type: 'string', minLength: 1, maxLength: 64 },
  }));
  const query = Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !z.safeParse(schema, undefined).success,
    schema: schemas.convert(schema, 'input'),
  }));
  return [...path, ...query];
}

/** A route nobody described in openapi-operations.ts yet (the unit test names it): any JSON answer. */
const undescribed: Operation = {
  description: 'Not described yet.',
  responses: { 200: { description: 'OK', schema: z.unknown() } },
};

function operation(route: RouteDefinition, schemas: ComponentSchemas): Record<string, unknown> {
  const spec = operations[route.handler] ?? undescribed;
  const parameters = parametersOf(route, spec, schemas);
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses))
    responses[status] = responseOf(response, schemas);
  Object.assign(
    responses,
    errorResponsesFor(route, { params: parameters.length > 0, body: spec.body !== undefined }, spec.errors),
  );
  return {
    operationId: route.operationId ?? route.handler,
    summary: route.summary,
    ...(spec.description && { description: spec.description }),
    tags: [tagOf(route.path).name],
    security: route.access === 'public' ? [] : [{ bearer: [] }],
    ...(parameters.length > 0 && { parameters }),
    ...(spec.body && {
      requestBody: {
        description: `JSON, at most ${BODY_LIMIT_BYTES} bytes.`,
        // An empty body counts as `{}`: required only when `{}` is not a valid request.
        required: !z.safeParse(spec.body, {}).success,
        content: { 'application/json': { schema: schemas.convert(spec.body, 'input') } },
      },
    }),
    responses,
  };
}

/** The document; `serverUrl` is where this API is served (the request's origin), `/` when unknown. */
export function openApiDocument(serverUrl?: string) {
  const schemas = new ComponentSchemas();
  const responses = sharedErrorResponses(schemas, BODY_LIMIT_BYTES);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, schemas);
  }
  const tags = [...new Map(routes.map((route) => [tagOf(route.path).name, tagOf(route.path)])).values()];
  return {
    openapi: '3.1.0',
    info: { title: 'Tiered job queue API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: serverUrl ?? '/', description: 'This deployment' }],
    security: [{ bearer: [] }],
    tags,
    paths,
    components: {
      schemas: schemas.schemas as Record<string, JsonSchema>,
      responses,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT whose `sub` is the user; `role: admin` (or an `admin` group) for admin routes.',
        },
      },
    },
  };
}
