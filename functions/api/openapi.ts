/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate requests.
 */
import { z } from 'zod';
import { type RouteDefinition, routes } from './routes.ts';
import {
  cleanupQuerySchema,
  cleanupResponseSchema,
  countJobsQuerySchema,
  deadJobsQuerySchema,
  errorBodySchema,
  jobViewSchema,
  listJobsQuerySchema,
  redriveSchema,
  submitAgentJobSchema,
  submitJobSchema,
} from './schemas.ts';

const jobResponse = z.object({ job: jobViewSchema });
const agentsResponse = z.object({
  agents: z.array(
    z.object({
      type: z.string(),
      commands: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          paramsSchema: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
  ),
});

const jobsPage = z.object({ jobs: z.array(jobViewSchema), nextCursor: z.string().nullable() });
const tierStats = z.object({
  queued: z.number().int(),
  inFlight: z.number().int(),
  delayed: z.number().int(),
  deadLettered: z.number().int(),
  maxConcurrency: z.number().int(),
});
const queueStatsResponse = z.object({
  byStatus: z.record(z.string(), z.number().int()),
  total: z.number().int(),
  tiers: z.object({ critical: tierStats, high: tierStats, normal: tierStats, low: tierStats }),
  avgQueueTimeMs: z.number().nullable(),
  avgExecutionTimeMs: z.number().nullable(),
  priorityDistribution: z.record(z.string(), z.number().int()),
  pastDeadline: z.number().int(),
});

interface Operation {
  body?: z.ZodType;
  query?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const operations: Record<string, Operation> = {
  health: { responses: { 200: { description: 'Alive', schema: z.object({ ok: z.literal(true) }) } } },
  openapi: { responses: { 200: { description: 'This document' } } },
  'submit-job': {
    body: submitJobSchema,
    responses: {
      202: { description: 'Accepted', schema: jobResponse },
      200: { description: 'Idempotent repeat', schema: jobResponse },
    },
  },
  'submit-agent-job': {
    body: submitAgentJobSchema,
    responses: {
      202: { description: 'Accepted', schema: jobResponse },
      200: { description: 'Idempotent repeat', schema: jobResponse },
    },
  },
  'list-agents': { responses: { 200: { description: 'Registered agents', schema: agentsResponse } } },
  'list-jobs': {
    query: listJobsQuerySchema,
    responses: {
      200: { description: 'A page of jobs', schema: jobsPage },
    },
  },
  'count-jobs': {
    query: countJobsQuerySchema,
    responses: { 200: { description: 'Count', schema: z.object({ count: z.number().int() }) } },
  },
  'get-job': { responses: { 200: { description: 'The job', schema: jobResponse } } },
  'cancel-job': {
    responses: {
      200: { description: 'Now cancelled, or cancelling if it was running', schema: jobResponse },
    },
  },
  'retry-job': { responses: { 202: { description: 'Requeued', schema: jobResponse } } },
  'queue-stats': { responses: { 200: { description: 'Statistics', schema: queueStatsResponse } } },
  'admin-recover': {
    responses: {
      200: {
        description: 'What the sweep did',
        schema: z.object({
          recovered: z.number().int(),
          dispatched: z.number().int(),
          promoted: z.number().int(),
        }),
      },
    },
  },
  'admin-cleanup': {
    query: cleanupQuerySchema,
    responses: {
      200: {
        description: 'Deleted; `complete: false` when the run stopped for time (continue with `cursor`)',
        schema: cleanupResponseSchema,
      },
    },
  },
  'admin-dead': {
    query: deadJobsQuerySchema,
    responses: { 200: { description: 'Dead jobs', schema: jobsPage } },
  },
  'admin-redrive': {
    body: redriveSchema,
    responses: { 200: { description: 'Requeued', schema: z.object({ requeued: z.number().int() }) } },
  },
};

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'ref' });

function operation(route: RouteDefinition) {
  const spec = operations[route.handler] ?? { responses: { 200: { description: 'OK' } } };
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParams = Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: toSchema(schema as z.ZodType, 'input'),
  }));
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema && {
        content: { 'application/json': { schema: toSchema(response.schema, 'output') } },
      }),
    };
  }
  responses.default = {
    description: 'Error',
    content: { 'application/json': { schema: toSchema(errorBodySchema, 'output') } },
  };
  return {
    operationId: route.handler,
    summary: route.summary,
    ...(route.access !== 'public' && { security: [{ bearer: [] }] }),
    parameters: [...pathParams, ...queryParams],
    ...(spec.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: toSchema(spec.body, 'input') } },
      },
    }),
    responses,
  };
}

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tiered job queue API', version: '1.0.0' },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
