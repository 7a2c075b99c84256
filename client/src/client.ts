/**
 * `new JobsClient({apiUrl, wsUrl?, token | getToken})`: every route of the HTTP API as a method that resolves
 * with the data itself (the Job, not `{"job": ...}`), pagination as async iterators, and live updates over the
 * WebSocket API (`watch`, `wait`). Failures throw JobsApiError.
 *
 * Retries: every method but `submit` is safe to repeat (a repeated cancel, retry or redrive changes nothing
 * more, though it may then answer 409), so each retries network errors, 429 and 5xx with backoff. `submit` is
 * retried only with an idempotency key; the client generates one (a random UUID) when the body has none, so
 * a submit whose response was lost is retried without creating a second job. `autoIdempotencyKey: false`
 * turns that off (the job's `idempotencyKey` then stays null, and a failed submit is never retried).
 */
import type { BackoffPolicy } from './backoff.ts';
import { ScheduleMethods } from './schedules.ts';
import type { WebSocketConstructor, WebSocketLike } from './socket.ts';
import { resolveWebSocket } from './socket.ts';
import { type TokenSource, Transport } from './transport.ts';
import type {
  Agent,
  CleanupQuery,
  CleanupResult,
  CountJobsQuery,
  CreatedWebhook,
  CreateWebhookBody,
  DeadJobsQuery,
  Job,
  JobsPage,
  ListJobsPageQuery,
  ListJobsQuery,
  MetricsHistory,
  MetricsQuery,
  QueueStats,
  RecoverResult,
  RedriveRequest,
  SubmitAgentJobBody,
  SubmitJobBody,
  Tier,
  TierPauseResult,
  Webhook,
  WebhookDelivery,
} from './types.ts';
import { type WaitOptions, waitForJob } from './wait.ts';
import { type WatchHandle, type WatchOptions, type WatchTarget, watchJobs } from './watch.ts';

export type { WaitOptions } from './wait.ts';

import { WebhookRequests } from './webhooks.ts';

export interface JobsClientOptions {
  /** The HTTP API's base URL, e.g. `http://127.0.0.1:3000` or the stack's `HttpApiUrl`. */
  apiUrl: string;
  /** The WebSocket API's URL; without it `watch` and `wait` poll over HTTP. */
  wsUrl?: string;
  /** A bearer token, or `getToken` (called for every request and connection; may refresh). */
  token?: string;
  getToken?: TokenSource;
  /** Retries of safe requests after network errors, 429 and 5xx (default 3). */
  retries?: number;
  retryBackoff?: BackoffPolicy;
  /** Give submissions without an idempotency key a random one, so they can be retried safely (default true). */
  autoIdempotencyKey?: boolean;
  fetch?: typeof fetch;
  /** A WebSocket implementation; default: the global one, else the `ws` package. */
  WebSocket?: WebSocketConstructor;
}

type Query = Record<string, string | number | boolean | undefined>;
const path = (id: string) => `/jobs/${encodeURIComponent(id)}`;

export class JobsClient {
  readonly #http: Transport;
  readonly #options: JobsClientOptions;
  readonly #webhooks: WebhookRequests;
  /** Recurring jobs: `create`, `get`, `list`, `update`, `pause`, `resume`, `delete`, `trigger`. */
  readonly schedules: ScheduleMethods;

  constructor(options: JobsClientOptions) {
    const { token, getToken } = options;
    if (!getToken && token === undefined) throw new TypeError('JobsClient needs token or getToken');
    this.#options = options;
    this.#http = new Transport({
      apiUrl: options.apiUrl,
      getToken: getToken ?? (() => token as string),
      refreshable: getToken !== undefined,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      retries: options.retries ?? 3,
      backoff: options.retryBackoff ?? { baseMs: 200, maxMs: 5000 },
    });
    this.#webhooks = new WebhookRequests(this.#http);
    this.schedules = new ScheduleMethods(this.#http);
  }

  /** `POST /jobs`: the new job (or, for a repeated idempotency key with the same body, the original one). */
  async submit(body: SubmitJobBody): Promise<Job> {
    const key = body.idempotencyKey ?? this.#generatedKey();
    const request = key === undefined ? body : { ...body, idempotencyKey: key };
    const { job } = await this.#http.request<{ job: Job }>('POST', '/jobs', {
      body: request,
      retry: key !== undefined,
    });
    return job;
  }

  /** `POST /agents/{type}/{command}`: the same as submit, with the agent in the path. */
  async submitTo(type: string, command: string, body: SubmitAgentJobBody = {}): Promise<Job> {
    const key = body.idempotencyKey ?? this.#generatedKey();
    const request = key === undefined ? body : { ...body, idempotencyKey: key };
    const route = `/agents/${encodeURIComponent(type)}/${encodeURIComponent(command)}`;
    const { job } = await this.#http.request<{ job: Job }>('POST', route, {
      body: request,
      retry: key !== undefined,
    });
    return job;
  }

  async get(id: string): Promise<Job> {
    return (await this.#http.request<{ job: Job }>('GET', path(id), { retry: true })).job;
  }

  /**
   * The job's params, also when they are larger than 256 KiB (the job then shows `params: null,
   * paramsTruncated: true`): the API redirects to a short-lived link, which fetch follows without the token.
   */
  async params(id: string): Promise<Record<string, unknown>> {
    return this.#http.request<Record<string, unknown>>('GET', `${path(id)}/params`, { retry: true });
  }

  /** The job's result (null until it completes), also when it is kept in S3 (`resultTruncated: true`). */
  async result(id: string): Promise<unknown> {
    return this.#http.request<unknown>('GET', `${path(id)}/result`, { retry: true });
  }

  async cancel(id: string): Promise<Job> {
    return (await this.#http.request<{ job: Job }>('POST', `${path(id)}/cancel`, { retry: true })).job;
  }

  async retry(id: string): Promise<Job> {
    return (await this.#http.request<{ job: Job }>('POST', `${path(id)}/retry`, { retry: true })).job;
  }

  /** Every job matching `query`, newest first, fetching the next page only as iteration reaches it. */
  list(query: ListJobsQuery = {}): AsyncIterable<Job> {
    return this.#pages((cursor) => this.listPage({ ...query, cursor }));
  }

  /** One page of `GET /jobs`, for callers that keep the cursor themselves. */
  listPage(query: ListJobsPageQuery = {}): Promise<JobsPage> {
    return this.#http.request<JobsPage>('GET', '/jobs', { query: query as Query, retry: true });
  }

  async count(query: CountJobsQuery = {}): Promise<number> {
    const body = await this.#http.request<{ count: number }>('GET', '/jobs/count', {
      query: query as Query,
      retry: true,
    });
    return body.count;
  }

  stats(): Promise<QueueStats> {
    return this.#http.request<QueueStats>('GET', '/queue/stats', { retry: true });
  }

  /** Metrics history (`GET /queue/metrics`): one point per step, oldest first, zeros where nothing happened. */
  metrics(query: MetricsQuery = {}): Promise<MetricsHistory> {
    return this.#http.request<MetricsHistory>('GET', '/queue/metrics', {
      query: query as Query,
      retry: true,
    });
  }

  async agents(): Promise<Agent[]> {
    return (await this.#http.request<{ agents: Agent[] }>('GET', '/agents', { retry: true })).agents;
  }

  /** Admin: dead jobs of all users, page after page. */
  dead(query: Omit<DeadJobsQuery, 'cursor'> = {}): AsyncIterable<Job> {
    return this.#pages((cursor) => this.deadPage({ ...query, cursor }));
  }

  deadPage(query: DeadJobsQuery = {}): Promise<JobsPage> {
    return this.#http.request<JobsPage>('GET', '/admin/dead', { query: query as Query, retry: true });
  }

  /** Admin: requeue dead jobs (`{jobIds}` or `{all: true}`). */
  redrive(request: RedriveRequest): Promise<{ requeued: number }> {
    return this.#http.request('POST', '/admin/dead/redrive', { body: request, retry: true });
  }

  /** Admin: run the every-minute maintenance sweep now. */
  recover(): Promise<RecoverResult> {
    return this.#http.request('POST', '/admin/recover', { retry: true });
  }

  /** Admin: pause a tier (its jobs stay queued, nothing new starts in it; `stats().tiers[T].paused`). */
  pauseTier(tier: Tier): Promise<TierPauseResult> {
    return this.#http.request('POST', `/admin/tiers/${encodeURIComponent(tier)}/pause`, { retry: true });
  }

  /** Admin: resume a paused tier. */
  resumeTier(tier: Tier): Promise<TierPauseResult> {
    return this.#http.request('POST', `/admin/tiers/${encodeURIComponent(tier)}/resume`, { retry: true });
  }

  /** Admin: delete finished jobs older than `days` (default 30). */
  cleanup(query: CleanupQuery = {}): Promise<CleanupResult> {
    return this.#http.request('POST', '/admin/cleanup', { query, retry: true });
  }

  /** `POST /webhooks`: the webhook and its secret (shown only now). */
  createWebhook = (body: CreateWebhookBody): Promise<CreatedWebhook> => this.#webhooks.create(body);
  webhooks = (): Promise<Webhook[]> => this.#webhooks.list();
  deleteWebhook = (id: string): Promise<void> => this.#webhooks.delete(id);
  /** Queues a `webhook.test` event; resolves with its (pending) delivery. */
  testWebhook = (id: string): Promise<WebhookDelivery> => this.#webhooks.test(id);
  /** The webhook's delivery log, newest first. */
  webhookDeliveries = (id: string, query: { limit?: number } = {}): Promise<WebhookDelivery[]> =>
    this.#webhooks.deliveries(id, query);

  /**
   * Follows one job (until it ends) or all of the user's jobs, calling `onJob` with each newer version.
   * Reconnects with backoff and resubscribes by itself; never delivers a `seq` twice or out of order.
   */
  watch(target: WatchTarget, onJob: (job: Job) => void, options: WatchOptions = {}): WatchHandle {
    return watchJobs(
      {
        openSocket: () => this.#openSocket(),
        getJob: (id) => this.get(id),
        recentJobs: async () => (await this.listPage()).jobs,
      },
      target,
      onJob,
      options,
    );
  }

  /**
   * Resolves with the job once it is terminal (with its whole result, even one too large for an event): over
   * the WebSocket, polling when the socket cannot connect.
   */
  wait(id: string, options: WaitOptions = {}): Promise<Job> {
    return waitForJob(this, id, options);
  }

  async #openSocket(): Promise<WebSocketLike | undefined> {
    const { wsUrl } = this.#options;
    if (!wsUrl) return undefined;
    const [WebSocket, token] = await Promise.all([
      resolveWebSocket(this.#options.WebSocket),
      this.#http.token(),
    ]);
    const url = new URL(wsUrl);
    url.searchParams.set('token', token);
    return new WebSocket(url.toString());
  }

  #generatedKey(): string | undefined {
    if (this.#options.autoIdempotencyKey === false) return undefined;
    return globalThis.crypto?.randomUUID?.();
  }

  #pages(fetchPage: (cursor: string | undefined) => Promise<JobsPage>): AsyncIterable<Job> {
    return {
      async *[Symbol.asyncIterator]() {
        let cursor: string | undefined;
        do {
          const page = await fetchPage(cursor);
          yield* page.jobs;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      },
    };
  }
}
