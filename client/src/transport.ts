/**
 * HTTP with the client's policy: a bearer token from `token` or `getToken` on every request (a 401 asks
 * `getToken` once more, so a refreshed token is picked up), JSON in and out, errors as JobsApiError, and
 * retries with backoff on network errors, 429 and 5xx for requests that are safe to repeat.
 */
import { type BackoffPolicy, backoffDelay, retryAfterMs, sleep } from './backoff.ts';
import { errorFromBody, type JobsApiError, networkError } from './errors.ts';

export type TokenSource = () => string | Promise<string>;

export interface TransportOptions {
  apiUrl: string;
  getToken: TokenSource;
  /** Whether getToken may return a fresh token when asked again after a 401. */
  refreshable: boolean;
  fetch: typeof fetch;
  retries: number;
  backoff: BackoffPolicy;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  /** Safe to send again after a failure whose outcome is unknown. */
  retry: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export class Transport {
  readonly #options: TransportOptions;
  readonly #base: string;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#base = options.apiUrl.replace(/\/+$/, '');
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(`${this.#base}${path}`);
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  token(): Promise<string> {
    return Promise.resolve(this.#options.getToken());
  }

  async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const { retries, backoff } = this.#options;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let failure: JobsApiError;
      let wait: number | undefined;
      try {
        const response = await this.#send(method, path, options);
        if (response.ok) return (await readJson(response)) as T;
        failure = errorFromBody(response.status, await readJson(response), response.statusText);
        if (response.status === 401 && this.#options.refreshable && !refreshed) {
          refreshed = true;
          attempt--;
          continue;
        }
        if (!RETRYABLE_STATUS.has(response.status)) throw failure;
        wait = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof Error && error.name === 'JobsApiError') throw error;
        failure = networkError(error);
      }
      if (!options.retry || attempt >= retries) throw failure;
      await sleep(Math.min(wait ?? backoffDelay(attempt, backoff), 30_000));
    }
  }

  async #send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await this.token()}`,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return this.#options.fetch(this.url(path, options.query), {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
