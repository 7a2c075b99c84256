/**
 * A tiny client for the local HTTP API in e2e tests. Every exchange is checked against the OpenAPI document
 * the stack serves (openapi-validator.ts): a request or response that does not match it fails the test.
 */
import { openApiValidator } from './openapi-validator.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class OpenApiMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(`the exchange does not match the served OpenAPI document:\n  ${problems.join('\n  ')}`);
    this.name = 'OpenApiMismatchError';
  }
}

const validators = new Map<string, Promise<ReturnType<typeof openApiValidator>>>();

/** The validator of the document served at `baseUrl`, fetched once per stack. */
function validatorFor(
  baseUrl: string,
  fetch: typeof globalThis.fetch,
): Promise<ReturnType<typeof openApiValidator>> {
  let validator = validators.get(baseUrl);
  if (!validator) {
    validator = fetch(`${baseUrl}/openapi.json`).then(async (response) => {
      if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
      return openApiValidator((await response.json()) as Record<string, unknown>);
    });
    validators.set(baseUrl, validator);
  }
  return validator;
}

/** `fetch` is replaceable for the client's own unit test. */
export function apiClient(
  baseUrl: string,
  token?: string,
  fetch: typeof globalThis.fetch = globalThis.fetch,
) {
  const exchange = async (
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    redirect: RequestRedirect = 'follow',
  ): Promise<ApiResponse<string>> => {
    const hasBody = body !== undefined || raw !== undefined;
    const requestHeaders: Record<string, string> = {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(hasBody && { 'content-type': 'application/json' }),
    };
    const requestBody = hasBody ? (raw ?? JSON.stringify(body)) : undefined;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: requestHeaders,
      redirect,
      ...(requestBody !== undefined && { body: requestBody }),
    });
    const text = await response.text();
    const problems = (await validatorFor(baseUrl, fetch)).problems({
      method,
      url: path,
      requestHeaders,
      ...(requestBody !== undefined && { requestBody }),
      status: response.status,
      responseHeaders: response.headers,
      responseBody: text,
    });
    if (problems.length > 0) throw new OpenApiMismatchError(problems);
    return { status: response.status, headers: response.headers, body: text };
  };
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
  ): Promise<ApiResponse<T>> => {
    const response = await exchange(method, path, body, raw);
    return { ...response, body: (response.body ? JSON.parse(response.body) : null) as T };
  };
  return {
    /** A GET whose body is not JSON (the reference page and its script): the body as text. */
    getText: (path: string) => exchange('GET', path),
    /** A GET that does not follow a redirect (its `Location` is in the headers). */
    getUnfollowed: (path: string) => exchange('GET', path, undefined, undefined, 'manual'),
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body?: unknown) => call<T>('POST', path, body),
    postRaw: <T = Record<string, unknown>>(path: string, raw: string) =>
      call<T>('POST', path, undefined, raw),
    patch: <T = Record<string, unknown>>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  };
}

/** Polls until `check` returns a value, with a generous deadline for busy machines. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
