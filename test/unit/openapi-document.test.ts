/**
 * The OpenAPI document's own guarantees, the ones tools rely on: every reference resolves from the root,
 * operationIds are unique, every route is described with its errors, limits and headers.
 * (The Redocly lint of the served document runs in test/e2e/openapi.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { ComponentSchemas } from '../../functions/api/openapi-json-schema.ts';
import { operations } from '../../functions/api/openapi-operations.ts';
import { routes } from '../../functions/api/routes.ts';

type Json = Record<string, unknown>;
const document = JSON.parse(JSON.stringify(openApiDocument('https://api.example.test'))) as Json & {
  paths: Record<string, Record<string, Json>>;
};
const operationOf = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()] as Json;
const responsesOf = (method: string, path: string) => operationOf(method, path).responses as Json;

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, found);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refs(item, found);
    }
  return found;
}

const resolve = (ref: string) =>
  ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], document);

describe('the OpenAPI document', () => {
  it('resolves every $ref from the document root', () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((ref) => !ref.startsWith('#/components/'))).toEqual([]);
    expect(all.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it('describes every route in openapi-operations.ts', () => {
    expect(routes.filter((route) => !operations[route.handler]).map((route) => route.handler)).toEqual([]);
  });

  it('has one operation per route, each with a unique operationId', () => {
    const ids = routes.map((route) => operationOf(route.method, route.path)?.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(routes.length);
    expect(operationOf('DELETE', '/jobs/{id}').operationId).not.toBe(
      operationOf('POST', '/jobs/{id}/cancel').operationId,
    );
  });

  it('names its server and the bearer scheme; public routes need no token', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://api.example.test' })]);
    expect(openApiDocument().servers).toEqual([expect.objectContaining({ url: '/' })]);
    for (const route of routes)
      expect(operationOf(route.method, route.path).security, route.path).toEqual(
        route.access === 'public' ? [] : [{ bearer: [] }],
      );
  });

  it('documents the errors of every route: 5xx always, 401/403 when protected, 413/415 with a body', () => {
    for (const route of routes) {
      const responses = responsesOf(route.method, route.path);
      const statuses = Object.keys(responses);
      expect(statuses, `${route.method} ${route.path}`).toEqual(
        expect.arrayContaining(['429', '500', '503']),
      );
      if (route.access !== 'public') expect(statuses).toEqual(expect.arrayContaining(['401', '403']));
      if (operationOf(route.method, route.path).requestBody)
        expect(statuses).toEqual(expect.arrayContaining(['400', '413', '415']));
      expect(statuses).not.toContain('default');
    }
    expect(Object.keys(responsesOf('POST', '/jobs/{id}/cancel'))).toContain('409');
    expect(JSON.stringify(responsesOf('POST', '/jobs'))).toMatch(/idempotency_conflict/);
  });

  it("documents API Gateway's own {message} body beside the error body where it answers itself", () => {
    const components = (document.components as Json).responses as Record<string, Json>;
    for (const name of ['Unauthorized', 'Forbidden', 'PayloadTooLarge', 'InternalError'])
      expect(JSON.stringify(components[name]?.content)).toContain('#/components/schemas/GatewayError');
    expect((document.components as Json).schemas).toMatchObject({
      GatewayError: { required: ['message'] },
      Error: { required: ['error'] },
    });
  });

  it('documents the Location header of 202 Accepted and the limits of ids and bodies', () => {
    expect(responsesOf('POST', '/jobs')['202']).toMatchObject({
      headers: { Location: { required: true } },
    });
    for (const route of routes.filter((r) => r.path.includes('{'))) {
      const parameters = operationOf(route.method, route.path).parameters as Json[];
      for (const parameter of parameters.filter((p) => p.in === 'path')) {
        const schema = parameter.schema as Json;
        // A closed set of names (the tier) is its own limit.
        if (Array.isArray(schema.enum)) continue;
        expect(schema.maxLength, `${route.path} ${parameter.name}`).toBeLessThanOrEqual(64);
      }
    }
    const tier = (operationOf('POST', '/admin/tiers/{tier}/pause').parameters as Json[])[0]?.schema as Json;
    expect(tier.enum).toEqual(['critical', 'high', 'normal', 'low']);
    const body = operationOf('POST', '/jobs').requestBody as Json;
    expect(Object.keys(body.content as Json)).toEqual(['application/json']);
    expect(body.description).toMatch(/at most \d+ bytes/);
  });

  it('serves the reference page as HTML', () => {
    expect(responsesOf('GET', '/docs')['200']).toMatchObject({ content: { 'text/html': {} } });
  });
});

describe('component schemas', () => {
  it('collects a named schema once and points every use at it', () => {
    const schemas = new ComponentSchemas();
    const thing = z.object({ name: z.string() }).meta({ id: 'Thing' });
    const one = schemas.convert(z.object({ a: thing }), 'output');
    const two = schemas.convert(z.array(thing), 'output');
    expect(one).toMatchObject({ properties: { a: { $ref: '#/components/schemas/Thing' } } });
    expect(two).toMatchObject({ items: { $ref: '#/components/schemas/Thing' } });
    expect(Object.keys(schemas.schemas)).toEqual(['Thing']);
    expect(JSON.stringify([one, two])).not.toContain('$defs');
  });

  it('keeps the request and response shapes of one name apart', () => {
    const schemas = new ComponentSchemas();
    const thing = z.object({ size: z.number().default(1) }).meta({ id: 'Sized' });
    schemas.convert(z.object({ a: thing }), 'output');
    const input = schemas.convert(z.object({ a: thing }), 'input');
    expect(input).toMatchObject({ properties: { a: { $ref: '#/components/schemas/SizedInput' } } });
    expect(Object.keys(schemas.schemas).sort()).toEqual(['Sized', 'SizedInput']);
  });
});
