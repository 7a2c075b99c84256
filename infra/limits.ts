/**
 * Abuse limits of the deployed stack, as plain data (no CDK import) so the settings, the constructs, the
 * README and the tests read one definition:
 * - API Gateway throttling: steady rate (requests per second) and burst, per stage and for expensive routes.
 *   HTTP and WebSocket APIs have no per-client usage plans: these limits are shared by every caller of the
 *   stage, so they bound what a flood costs and protect the account's Lambda concurrency, not one user from
 *   another (see the README's Security section).
 * - How long the HTTP authorizer's verdict for one Authorization header is cached.
 * - Reserved concurrency for the functions that must keep running when the APIs are flooded.
 */

export interface Throttle {
  /** Steady-state requests per second. */
  rate: number;
  /** Requests accepted at once above the steady rate (token bucket size). */
  burst: number;
}

export const throttleDefaults = {
  /** Every HTTP route not listed below. */
  http: { rate: 100, burst: 200 },
  /** POST /jobs and POST /agents/{type}/{command}: each is a DynamoDB transaction and an SQS send. */
  submit: { rate: 25, burst: 50 },
  /** Admin routes (recover, cleanup, redrive): each may read and write many items. */
  admin: { rate: 2, burst: 5 },
  /** Every WebSocket message route (subscribe, unsubscribe, ping, $default). */
  webSocket: { rate: 50, burst: 100 },
  /** WebSocket handshakes ($connect): each invokes the authorizer and the connect handler. */
  connect: { rate: 10, burst: 20 },
} as const satisfies Record<string, Throttle>;

export type ThrottleName = keyof typeof throttleDefaults;

/** Seconds the HTTP authorizer's verdict for one Authorization header is reused (0: no cache; max 3600). */
export const AUTHORIZER_CACHE_SECONDS = 300;

/**
 * Reserved concurrency of the functions that carry jobs (the worker gets the sum of the tiers'
 * MaximumConcurrency, so its four event sources are never throttled; see infra/constructs/workers.ts).
 */
export const reservedConcurrency = {
  /** One concurrent batch per stream shard (ParallelizationFactor 1). */
  dependencyResolver: 10,
  notifier: 10,
} as const;

/** AWS keeps at least this much of an account's concurrency unreserved; reservations must leave it free. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/**
 * Per-user quotas (README "Security"): generous defaults a normal user never meets, each overridable by a
 * deployment setting (`quotas` / context `quota.<name>`) and, locally, by the same environment variables.
 */
export interface UserQuotas {
  /** Unfinished (not completed, failed, cancelled or dead) jobs one user may have; past it POST /jobs answers 429. */
  maxUnfinishedJobs: number;
  /** Open WebSocket connections per user; past it the handshake is refused. */
  maxConnections: number;
  /** Subscriptions per WebSocket connection; past it `subscribe` answers an error frame. */
  maxSubscriptionsPerConnection: number;
  /**
   * Priorities above this are reserved for admins (role `admin` or group `admin`); 10: nothing reserved
   * (the default, so every priority of the contract works for everyone).
   */
  maxUserPriority: number;
}

export const userQuotaDefaults: UserQuotas = {
  maxUnfinishedJobs: 10_000,
  maxConnections: 20,
  maxSubscriptionsPerConnection: 1_000,
  maxUserPriority: 10,
};
