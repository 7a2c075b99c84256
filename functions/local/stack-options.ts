/**
 * What the local stack can be told (./stack.ts), and how it hands the deployed handlers their configuration:
 * through the process environment, read at import as in Lambda.
 */
import { randomBytes } from 'node:crypto';
import type { DashboardConfig } from '../../dashboard/build.ts';
import type { UserQuotas } from '../../infra/limits.ts';
import { ENV } from '../wiring/config.ts';
import { quotaEnvironment } from '../wiring/quotas.ts';
import { localRuntimeEnvironment, type TimeoutOverrides } from './event-source/mappings.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from './local-aws.ts';
import type { LocalQueues } from './provision.ts';
import { webhookEnvironment } from './webhook-delivery.ts';

export interface LocalStackOptions {
  port: number;
  /** The WebSocket API's port; 0 (the default) picks a free one. */
  wsPort?: number;
  host?: string;
  /**
   * Keep DynamoDB data here between restarts (with the stream consumer's checkpoints, in
   * `stream-checkpoints/`); in memory when undefined.
   */
  dataDir?: string;
  /** Keep the payload bucket's objects here between restarts; in memory when undefined. */
  s3DataDir?: string;
  /** Use already-running emulators instead of starting new ones (tests share one pair). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /** The S3 emulator; the SQS emulator's (fauxqs serves both) when not given. */
  s3Endpoint?: string;
  /** Prefix of table and queue names, so several stacks can share emulators. */
  prefix?: string;
  jwtSecret: string;
  /** Seals listing cursors (CURSOR_SECRET); a random one per start when not given. */
  cursorSecret?: string;
  /**
   * Runtime timings; the deployed values (infra/function-settings.ts runtimeSettings) unless set: tests
   * that need faster heartbeats or recovery set them here.
   */
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
  logLevel?: string;
  /** How often the maintenance sweep runs (the deployed schedule's rate, every minute, by default). */
  maintenanceIntervalMs?: number;
  /** Seconds before a queued job's message counts as lost (LOST_MESSAGE_AFTER_SECONDS). */
  lostMessageAfterSeconds?: number;
  /** Function timeouts in ms by handler module; the deployed ones by default (tests set short ones). */
  functionTimeoutsMs?: TimeoutOverrides;
  /**
   * The simulated Lambda time limit of each worker invocation (WORKER_BUDGET_SECONDS; the deployed 900 s by
   * default): a durable job continues in a fresh invocation when it runs short.
   */
  workerBudgetSeconds?: number;
  /** Tier queue settings (tests shorten the visibility timeout and the receives before the DLQ). */
  queues?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number };
  /** Per-user quotas; infra/limits.ts userQuotaDefaults (the deployed defaults) for any not set. */
  quotas?: Partial<UserQuotas>;
  /**
   * Runs once the functions' environment is configured and before anything serves or consumes (the
   * gateways, pollers, stream readers, the first recovery sweep): where an embedding process registers
   * agents or, in tests, installs fault injectors, so that not even a message re-sent at start misses them.
   */
  beforeEventSources?: (resources: {
    dynamodbEndpoint: string;
    tables: Record<string, string>;
  }) => Promise<void>;
  /** Called with poller errors (the emulator going away, handler crashes). */
  onError?: (error: unknown) => void;
  /** Seals webhook secrets locally (AES-256-GCM); derived from jwtSecret when not given. */
  webhookSealingSecret?: string;
  /** The first webhook retry delay in seconds (10 as deployed; tests set 1). */
  webhookRetryFirstDelaySeconds?: number;
  /** Serve the dashboard on this port (0: a free one) and allow its origin in the HTTP API's CORS. */
  dashboardPort?: number;
  /** The dashboard signs in through this OIDC provider (code + PKCE) instead of a pasted token. */
  dashboardOidc?: DashboardConfig['oidc'];
}

/** The handlers read their configuration from the environment at import, exactly as in Lambda (the bench sets it the same way). */
export function configureEnvironment(
  options: LocalStackOptions,
  resources: {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
    /** Not given: no payload store (params over 256 KiB are refused), as before it existed. */
    s3Endpoint?: string;
    payloadBucket?: string;
    tables: Record<string, string>;
    queues: LocalQueues;
  },
): void {
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: resources.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: resources.sqsEndpoint,
    ...(resources.s3Endpoint && { AWS_ENDPOINT_URL_S3: resources.s3Endpoint }),
    ...(resources.payloadBucket && { [ENV.payloadBucket]: resources.payloadBucket }),
    [ENV.jobsTable]: resources.tables.Jobs,
    [ENV.schedulesTable]: resources.tables.Schedules,
    [ENV.queueUrl.critical]: resources.queues.urls.critical,
    [ENV.queueUrl.high]: resources.queues.urls.high,
    [ENV.queueUrl.normal]: resources.queues.urls.normal,
    [ENV.queueUrl.low]: resources.queues.urls.low,
    [ENV.deadLetterQueueUrl.critical]: resources.queues.deadLetterUrls.critical,
    [ENV.deadLetterQueueUrl.high]: resources.queues.deadLetterUrls.high,
    [ENV.deadLetterQueueUrl.normal]: resources.queues.deadLetterUrls.normal,
    [ENV.deadLetterQueueUrl.low]: resources.queues.deadLetterUrls.low,
    ...localRuntimeEnvironment({
      ...(options.heartbeatSeconds !== undefined && { heartbeatSeconds: options.heartbeatSeconds }),
      ...(options.staleAfterSeconds !== undefined && { staleAfterSeconds: options.staleAfterSeconds }),
      ...(options.lostMessageAfterSeconds !== undefined && {
        lostMessageAfterSeconds: options.lostMessageAfterSeconds,
      }),
    }),
    ...quotaEnvironment(options.quotas),
    ...webhookEnvironment(resources.queues.webhooks, {
      sealingSecret: options.webhookSealingSecret ?? `webhooks:${options.jwtSecret}`,
      ...(options.webhookRetryFirstDelaySeconds !== undefined && {
        retryFirstDelaySeconds: options.webhookRetryFirstDelaySeconds,
      }),
    }),
    [ENV.authMode]: 'hs256',
    [ENV.jwtSecret]: options.jwtSecret,
    [ENV.cursorSecret]: options.cursorSecret ?? randomBytes(32).toString('hex'),
    LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'warn',
  });
}
