/**
 * Checks HTTP exchanges against an OpenAPI 3.1 document (JSON Schema 2020-12 through Ajv): the operation
 * exists, parameters and body match, the status is documented, required headers are present and the
 * response body matches its schema. A request the document calls invalid is fine as long as the server
 * refused it (4xx); accepting it is a mismatch too. Paths the document does not have must answer the
 * error shape with 404.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

// ajv-formats is CommonJS; its plugin is also its `default` export, which both Node and TypeScript see.
const addFormats = formats.default;

export interface Exchange {
  method: string;
  /** Path and query, e.g. `/jobs?limit=2`. */
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status: number;
  responseHeaders: Headers;
  responseBody: string;
}

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  operation: Json;
}

const DOC = 'openapi.json';
const pointer = (...parts: string[]) =>
  `${DOC}#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

export function openApiValidator(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, DOC);
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (ref: string) => {
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  };
  const check = (ref: string, value: unknown, what: string): string[] => {
    const validate = validatorAt(ref);
    return validate(value) ? [] : [`${what}: ${describe(validate.errors)}`];
  };
  const resolve = (value: Json): Json => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    return resolve(
      ref
        .slice(2)
        .split('/')
        .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce<Json>((node, part) => node[part] as Json, document),
    );
  };

  const routes: Route[] = [];
  for (const [template, item] of Object.entries(document.paths as Record<string, Json>))
    for (const [method, operation] of Object.entries(item)) {
      const names: string[] = [];
      const source = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      routes.push({
        method,
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        operation: operation as Json,
      });
    }
  // Literal paths win over templated ones (`/jobs/count` before `/jobs/{id}`), as in API Gateway.
  routes.sort((a, b) => a.names.length - b.names.length);

  function requestProblems(route: Route, url: URL, exchange: Exchange): string[] {
    const problems: string[] = [];
    const { method, template, operation } = route;
    const found = route.pattern.exec(url.pathname);
    const parameters = ((operation.parameters ?? []) as Json[]).map(
      (p) => resolve(p) as unknown as Parameter,
    );
    parameters.forEach((parameter, index) => {
      const at = pointer('paths', template, method, 'parameters', String(index), 'schema');
      let raw: string | null = null;
      if (parameter.in === 'path')
        raw = decodeURIComponent(found?.[route.names.indexOf(parameter.name) + 1] ?? '');
      if (parameter.in === 'query') raw = url.searchParams.get(parameter.name);
      if (parameter.in !== 'path' && parameter.in !== 'query') return;
      if (raw === null) {
        if (parameter.required)
          problems.push(`request: ${parameter.in} parameter ${parameter.name} is missing`);
        return;
      }
      const type = parameter.schema?.type;
      const value = type === 'integer' || type === 'number' ? (raw === '' ? Number.NaN : Number(raw)) : raw;
      problems.push(...check(at, value, `request: ${parameter.in} parameter ${parameter.name}`));
    });
    const security = (operation.security ?? document.security ?? []) as Json[];
    if (security.length > 0 && !/^Bearer \S+$/i.test(exchange.requestHeaders.authorization ?? ''))
      problems.push('request: no bearer token on a route that needs one');
    const body = operation.requestBody ? resolve(operation.requestBody as Json) : undefined;
    const sent = exchange.requestBody ?? '';
    if (body) {
      const mediaType = (exchange.requestHeaders['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const content = body.content as Record<string, unknown>;
      if (sent === '') {
        if (body.required) problems.push('request: the body is required');
      } else if (!(mediaType in content)) {
        problems.push(
          `request: content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`,
        );
      } else {
        const at = pointer('paths', template, method, 'requestBody', 'content', mediaType, 'schema');
        const parsed = parseJson(sent);
        problems.push(...(parsed.ok ? check(at, parsed.value, 'request body') : ['request body: not JSON']));
      }
    } else if (sent !== '') problems.push('request: a body on an operation that takes none');
    return problems;
  }

  function responseProblems(route: Route, exchange: Exchange): string[] {
    const { method, template, operation } = route;
    const responses = operation.responses as Json;
    const key = [String(exchange.status), `${String(exchange.status)[0]}XX`, 'default'].find(
      (k) => k in responses,
    );
    if (!key) return [`response: status ${exchange.status} is not documented`];
    const response = resolve(responses[key] as Json);
    const base =
      typeof (responses[key] as Json).$ref === 'string'
        ? ((responses[key] as Json).$ref as string).slice(2).split('/')
        : ['paths', template, method, 'responses', key];
    const problems: string[] = [];
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const value = exchange.responseHeaders.get(name);
      if (value === null) {
        if (header.required) problems.push(`response: header ${name} is missing`);
      } else
        problems.push(
          ...check(pointer(...base, 'headers', name, 'schema'), value, `response header ${name}`),
        );
    }
    const content = response.content as Record<string, unknown> | undefined;
    const mediaType = (exchange.responseHeaders.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!content) {
      if (exchange.responseBody !== '') problems.push('response: a body where none is documented');
      return problems;
    }
    if (!(mediaType in content))
      return [
        ...problems,
        `response: content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`,
      ];
    if (mediaType !== 'application/json') return problems;
    const parsed = parseJson(exchange.responseBody);
    if (!parsed.ok) return [...problems, 'response body: not JSON'];
    return [
      ...problems,
      ...check(pointer(...base, 'content', mediaType, 'schema'), parsed.value, 'response body'),
    ];
  }

  return {
    /** What does not match the document; empty when the exchange agrees with it. */
    problems(exchange: Exchange): string[] {
      const url = new URL(exchange.url, 'http://validator.local');
      const method = exchange.method.toLowerCase();
      const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) {
        // Not in the document: the contract's 404 for an unknown route.
        if (exchange.status !== 404) return [`${method} ${url.pathname} is not in the document`];
        const parsed = parseJson(exchange.responseBody);
        return parsed.ok
          ? check(pointer('components', 'schemas', 'Error'), parsed.value, 'unknown route 404')
          : ['unknown route 404: not JSON'];
      }
      const request = requestProblems(route, url, exchange);
      const response = responseProblems(route, exchange);
      const refused = exchange.status >= 400 && exchange.status < 500;
      const label = `${exchange.method} ${route.template} -> ${exchange.status}`;
      return [
        ...response,
        ...(request.length > 0 && !refused
          ? ['the server accepted a request the document rejects', ...request]
          : []),
      ].map((problem) => `${label}: ${problem}`);
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`,
    )
    .join('; ');
}
