/**
 * The one definition of every function setting the deployed stack and the local stack share: timeouts,
 * event source mappings (batching, concurrency, stream retries, record age, bisection, filters), the
 * runtime timings passed as environment variables, the schedules and API Gateway's own limits. Plain data
 * (no CDK import): the CDK constructs build from it, functions/local runs from it, and
 * test/infra/local-parity.test.ts checks that both did.
 */
import type { Tier } from '../functions/core/tiers.ts';
import { queueDefaults, TIERS, tierDefaults } from './resources.ts';

/** Limits API Gateway enforces itself (not configurable). */
export const apiGatewayLimits = {
  /** HTTP API integrations: past this API Gateway answers 503 `{"message":"Service Unavailable"}`. */
  httpIntegrationTimeoutSeconds: 30,
  /** WebSocket API integrations. */
  webSocketIntegrationTimeoutSeconds: 29,
} as const;

/**
 * Lambda timeouts in seconds, by handler module (functions/handlers/<module>.ts). `api/*` is every HTTP
 * route handler without an entry of its own.
 */
export const functionTimeouts = {
  worker: queueDefaults.workerTimeoutSeconds,
  /** The jobs stream's consumer: settles dependants and counts statistics (functions/handlers/stream.ts). */
  stream: 60,
  notifier: 60,
  /** HTTP and WebSocket authorizers: API Gateway gives up on an authorizer after 10 s. */
  authorizer: 10,
  'ws/authorizer': 10,
  /** One second under the HTTP integration timeout: the function's own timeout comes first. */
  'api/*': 29,
  'api/not-found': 5,
  'ws/connect': 29,
  'ws/disconnect': 29,
  'ws/message': 29,
  /** Inside the one-minute period, so runs rarely overlap (each step is a conditional write anyway). */
  'maintenance/recover': 50,
  'maintenance/cleanup': 300,
  /** Webhook attempts (infra/webhook-settings.ts WEBHOOK_DELIVERY_TIMEOUT_SECONDS). */
  'webhook-delivery': 60,
} as const satisfies Record<string, number>;

export type FunctionModule = keyof typeof functionTimeouts;

/** The timeout of a handler module in seconds (`api/get-job` falls back to `api/*`). */
export function functionTimeoutSeconds(module: string): number {
  const own = (functionTimeouts as Record<string, number>)[module];
  if (own !== undefined) return own;
  if (module.startsWith('api/')) return functionTimeouts['api/*'];
  throw new Error(`no timeout defined for functions/handlers/${module}.ts in infra/function-settings.ts`);
}

/**
 * Timings the functions read from the environment (names in functions/wiring/config.ts ENV). Deployed and
 * local runs use these same values; a test that needs faster timings sets them explicitly.
 */
export const runtimeSettings = {
  /** Worker heartbeat and message-visibility extension period (HEARTBEAT_SECONDS). */
  heartbeatSeconds: 20,
  /** A running job without a heartbeat for this long is recovered (STALE_AFTER_SECONDS). */
  staleAfterSeconds: 120,
  /** A queued job older than this may have lost its message (LOST_MESSAGE_AFTER_SECONDS). */
  lostMessageAfterSeconds: 900,
  /** Jobs whose deadline is closer than this move up a tier (DEADLINE_URGENCY_SECONDS). */
  deadlineUrgencySeconds: 600,
} as const;

export type RuntimeSetting = keyof typeof runtimeSettings;

/** Which functions read which runtime settings (the CDK sets exactly these; the local stack sets all). */
export const runtimeSettingsByFunction: Record<string, readonly RuntimeSetting[]> = {
  worker: ['heartbeatSeconds', 'staleAfterSeconds'],
  'maintenance/recover': [
    'heartbeatSeconds',
    'staleAfterSeconds',
    'lostMessageAfterSeconds',
    'deadlineUrgencySeconds',
  ],
  'maintenance/cleanup': [
    'heartbeatSeconds',
    'staleAfterSeconds',
    'lostMessageAfterSeconds',
    'deadlineUrgencySeconds',
  ],
  'api/admin-recover': [
    'heartbeatSeconds',
    'staleAfterSeconds',
    'lostMessageAfterSeconds',
    'deadlineUrgencySeconds',
  ],
  'api/admin-cleanup': [
    'heartbeatSeconds',
    'staleAfterSeconds',
    'lostMessageAfterSeconds',
    'deadlineUrgencySeconds',
  ],
};

export interface SqsEventSourceSettings {
  /** The consuming handler module. */
  module: FunctionModule;
  batchSize: number;
  /** 0: invoke as soon as records arrive. */
  maxBatchingWindowSeconds: number;
  /** Lambda's ScalingConfig.MaximumConcurrency (2-1000). */
  maxConcurrency: number;
  reportBatchItemFailures: true;
  /** `false`: created disabled and switched on at run time (the webhook delivery queue's); on by default. */
  enabled?: boolean;
}

/** The worker's event source on each tier queue (its concurrency is a deployment setting, these defaults). */
export const tierEventSources: Record<Tier, SqsEventSourceSettings> = Object.fromEntries(
  TIERS.map((tier) => [
    tier,
    {
      module: 'worker',
      batchSize: tierDefaults[tier].batchSize,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: tierDefaults[tier].maxConcurrency,
      reportBatchItemFailures: true,
    },
  ]),
) as Record<Tier, SqsEventSourceSettings>;

/**
 * The tier dead-letter queues have no event source mapping: the every-minute maintenance run reads them
 * (functions/usecases/dead-letter-drain.ts). A message it received stays hidden for as long as the run may
 * last, so a run never reads its own messages twice, and one it could not handle (or a run that died) is
 * read again by the next run.
 */
export const deadLetterVisibilityTimeoutSeconds = functionTimeouts['maintenance/recover'];

/**
 * A Lambda event filter pattern (the JSON of FilterCriteria.Filters[].Pattern): objects nest, leaves are
 * arrays of accepted values. Only this subset of the filter syntax is used (and emulated locally).
 */
export type FilterPattern = { [field: string]: FilterPattern | readonly (string | number | boolean)[] };

export interface StreamEventSourceSettings {
  module: FunctionModule;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  batchSize: number;
  /** Lambda waits up to this long to fill a batch (MaximumBatchingWindowInSeconds); 0: none. */
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures: true;
  bisectBatchOnError: boolean;
  /** Where the metadata of a batch dropped after its retries goes (an SQS on-failure destination). */
  onFailure?: 'streamFailures';
  /** Retries of a failing batch before its records are dropped; -1: until they expire (24 h). */
  retryAttempts: number;
  /** Records older than this are dropped unprocessed; -1: no limit. */
  maxRecordAgeSeconds: number;
  filters: readonly FilterPattern[];
}

export const streamEventSources: Record<'notifier' | 'stream', StreamEventSourceSettings> = {
  notifier: {
    module: 'notifier',
    startingPosition: 'LATEST',
    batchSize: 100,
    // Changes go out as soon as they are read.
    maxBatchingWindowSeconds: 0,
    // Per-record failures: a record that cannot be delivered is retried without resending the others;
    // a failing batch is halved until the bad record is isolated, then dropped after the retries.
    reportBatchItemFailures: true,
    bisectBatchOnError: true,
    retryAttempts: 3,
    // Progress is only worth sending while it is fresh; GET /jobs/{id} always has the latest state.
    maxRecordAgeSeconds: 300,
    // Job items only (not the statistics counters or dependency edges written beside them); TTL expiry
    // and cleanup deletes are not job changes a client waits for.
    filters: [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { sk: { S: ['JOB'] } } } }],
  },
  stream: {
    module: 'stream',
    startingPosition: 'LATEST',
    batchSize: 100,
    // Statistics cost one write per touched item per batch: a short window gathers the changes of a few
    // seconds into one batch (a trickle of one job every 250 ms makes ~25 changes per batch instead of 1-2).
    // It is also the counters' lag and a dependant's extra wait after its parent finished.
    maxBatchingWindowSeconds: 2,
    // The handler reports the first record it could not settle or count; the stream retries from there.
    reportBatchItemFailures: true,
    // Never split: the handler does not throw, so a batch fails as a whole only on a timeout or a crash,
    // and its retry must start at the same first record for the statistics writer to recognise what it
    // already counted (functions/adapters/dynamodb/stats-writer.ts).
    bisectBatchOnError: false,
    // Settling and counting are idempotent, so retries are safe; a batch that still fails after them is
    // dropped (its metadata goes to the on-failure queue) rather than blocking the shard for 24 hours.
    retryAttempts: 10,
    maxRecordAgeSeconds: -1,
    onFailure: 'streamFailures',
    // Every change of a job item (inserts, changes, deletions incl. TTL expiry): the counters follow them
    // all. Counter, rollup, marker, edge and idempotency items are skipped before invocation.
    filters: [{ dynamodb: { Keys: { sk: { S: ['JOB'] } } } }],
  },
};

/** EventBridge rules: which handler runs how often. */
export const schedules = {
  recover: { module: 'maintenance/recover', rateSeconds: 60 },
  cleanup: { module: 'maintenance/cleanup', rateSeconds: 86_400 },
} as const satisfies Record<string, { module: FunctionModule; rateSeconds: number }>;
