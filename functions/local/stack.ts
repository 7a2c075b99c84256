/**
 * The embedded local stack behind `npm start` and the e2e tests: DynamoDB Local and an SQS emulator, the
 * tables and tier queues from infra/resources.ts, the HTTP API gateway, and one SQS poller per tier that
 * invokes the worker like a Lambda event source mapping. The handlers are the deployed ones, unchanged,
 * talking to the emulators through the same SDK calls.
 */

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DashboardConfig } from '../../dashboard/build.ts';
import { schedules, tierEventSources } from '../../infra/function-settings.ts';
import type { UserQuotas } from '../../infra/limits.ts';
import { TIERS } from '../../infra/resources.ts';
import { routes } from '../api/routes.ts';
import { ENV } from '../wiring/config.ts';
import { quotaEnvironment } from '../wiring/quotas.ts';
import { dashboardCors } from './cors.ts';
import { startDashboardServer } from './dashboard-server.ts';
import { startDynamoDbLocal } from './emulators/dynamodb-local.ts';
import { startEventSourceMappingsApi } from './emulators/event-source-mappings-api.ts';
import { startSqsEmulator } from './emulators/sqs-emulator.ts';
import {
  localRuntimeEnvironment,
  localTimeoutMs,
  sqsPollerSettings,
  type TimeoutOverrides,
} from './event-source/mappings.ts';
import { startSqsPoller } from './event-source/sqs-poller.ts';
import {
  registerTierMapping,
  storedTierStates,
  tierMappingsEnvironment,
} from './event-source/tier-mappings.ts';
import { type HttpLambda, startHttpGateway } from './http-gateway.ts';
import { fenceClient } from './invoke-with-timeout.ts';
import { startLifecycleSources } from './lifecycle-sources.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from './local-aws.ts';
import { type LocalQueues, provisionPayloadBucket, provisionQueues, provisionTables } from './provision.ts';
import { startRealtime } from './realtime/index.ts';
import { startWebhookDelivery, webhookEnvironment } from './webhook-delivery.ts';

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

export interface LocalStack {
  httpUrl: string;
  wsUrl: string;
  queues: LocalQueues;
  tables: Record<string, string>;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  s3Endpoint: string;
  /** The bucket of params and results over 256 KiB. */
  payloadBucket: string;
  /** The dashboard's URL, when `dashboardPort` was given. */
  dashboardUrl?: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const dynamodbEndpoint =
      options.dynamodbEndpoint ??
      (await startOwned(cleanups, () =>
        startDynamoDbLocal({ ...(options.dataDir && { dataDir: options.dataDir }) }),
      ));
    const sqsEndpoint =
      options.sqsEndpoint ??
      (await startOwned(cleanups, () =>
        startSqsEmulator({ ...(options.s3DataDir && { s3DataDir: options.s3DataDir }) }),
      ));
    const s3Endpoint = options.s3Endpoint ?? sqsEndpoint;
    const dynamo = new DynamoDBClient({ region, credentials, endpoint: dynamodbEndpoint });
    const sqs = new SQSClient({ region, credentials, endpoint: sqsEndpoint });
    const s3 = new S3Client({ region, credentials, endpoint: s3Endpoint, forcePathStyle: true });
    const prefix = options.prefix ?? 'local';
    const tables = await provisionTables(dynamo, prefix);
    const queues = await provisionQueues(sqs, prefix, options.queues);
    const payloadBucket = await provisionPayloadBucket(s3, prefix);

    configureEnvironment(options, {
      dynamodbEndpoint,
      sqsEndpoint,
      s3Endpoint,
      payloadBucket,
      tables,
      queues,
    });
    // The tier pause routes switch the pollers through a local Lambda API, as they switch mappings deployed.
    const mappingsApi = await startEventSourceMappingsApi();
    cleanups.push(mappingsApi.stop);
    Object.assign(process.env, tierMappingsEnvironment(mappingsApi, prefix));
    const timeouts: TimeoutOverrides = {
      ...(options.workerBudgetSeconds !== undefined && { worker: options.workerBudgetSeconds * 1000 }),
      ...options.functionTimeoutsMs,
    };
    // Lambda stops an invocation at its timeout: the functions' clients refuse calls made after it.
    fenceClient((await import('../wiring/dynamo-client.ts')).dynamoClient);
    fenceClient((await import('../wiring/sqs-client.ts')).sqsClient);
    fenceClient((await import('../wiring/s3-client.ts')).s3Client);
    await options.beforeEventSources?.({ dynamodbEndpoint, tables });
    const dashboard =
      options.dashboardPort === undefined
        ? undefined
        : await startDashboardServer({
            port: options.dashboardPort,
            ...(options.host && { host: options.host }),
          });
    if (dashboard) cleanups.push(dashboard.close);
    const gateway = await startHttpGateway({
      ...(dashboard && { cors: dashboardCors(dashboard.origin) }),
      port: options.port,
      ...(options.host && { host: options.host }),
      routes,
      loadHandler: async (route) =>
        ((await import(`../handlers/api/${route.handler}.ts`)) as { handler: HttpLambda }).handler,
      authorizer: (await import('../handlers/authorizer.ts')).handler,
      functionTimeoutMs: (route) => localTimeoutMs(`api/${route.handler}`, timeouts),
      authorizerTimeoutMs: localTimeoutMs('authorizer', timeouts),
    });
    cleanups.push(gateway.close);
    const realtime = await startRealtime({
      port: options.wsPort ?? 0,
      ...(options.host && { host: options.host }),
      dynamodbEndpoint,
      jobsTableName: tables.Jobs as string,
      connectionsTableName: tables.Connections as string,
      functionTimeoutsMs: timeouts,
      ...(options.onError && { onError: options.onError }),
    });
    cleanups.push(realtime.stop);
    dashboard?.setConfig(
      {
        apiUrl: gateway.url,
        wsUrl: realtime.wsUrl,
        ...(options.dashboardOidc && { oidc: options.dashboardOidc }),
      },
      new URL(s3Endpoint).origin,
    );

    const worker = (await import('../handlers/worker.ts')) as {
      handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
    };
    // A tier paused before a restart stays paused.
    const tierStates = await storedTierStates(dynamo, tables.Jobs as string);
    for (const tier of TIERS) {
      const pollerSettings = sqsPollerSettings(tierEventSources[tier], timeouts);
      const poller = startSqsPoller({
        sqs,
        queueUrl: queues.urls[tier],
        queueArn: queues.arns[tier],
        ...pollerSettings,
        functionName: `worker-${tier}`,
        region,
        handler: worker.handler,
        onError: options.onError ?? (() => undefined),
        paused: tierStates[tier].paused,
      });
      registerTierMapping(mappingsApi, {
        prefix,
        tier,
        queueArn: queues.arns[tier],
        batchSize: pollerSettings.batchSize,
        poller,
      });
      // Ctrl-C must not wait for a 14-minute job: in-flight runs are recovered on the next start.
      cleanups.push(() =>
        Promise.race([poller.stop(), new Promise<void>((resolve) => setTimeout(resolve, 3000))]),
      );
    }
    cleanups.push(await startWebhookDelivery({ sqs, queues, timeouts, onError: options.onError }));
    const lifecycle = await startLifecycleSources({
      dynamo,
      dynamodbEndpoint,
      sqs,
      queues,
      jobsTableName: tables.Jobs as string,
      region,
      credentials,
      maintenanceIntervalMs: options.maintenanceIntervalMs ?? schedules.recover.rateSeconds * 1000,
      functionTimeoutsMs: timeouts,
      ...(options.dataDir && {
        streamCheckpointsPath: join(options.dataDir, 'stream-checkpoints', `${prefix}-jobs-stream.json`),
      }),
      onError: options.onError ?? (() => undefined),
    });
    cleanups.push(lifecycle.stop);
    return {
      httpUrl: gateway.url,
      wsUrl: realtime.wsUrl,
      queues,
      tables,
      dynamodbEndpoint,
      sqsEndpoint,
      s3Endpoint,
      payloadBucket,
      ...(dashboard && { dashboardUrl: dashboard.url }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startOwned(
  cleanups: Array<() => Promise<void>>,
  start: () => Promise<{ endpoint: string; stop(): Promise<void> }>,
): Promise<string> {
  const emulator = await start();
  cleanups.push(() => emulator.stop());
  return emulator.endpoint;
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
