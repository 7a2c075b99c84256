/**
 * The embedded local stack behind `npm start` and the e2e tests: DynamoDB Local and an SQS emulator, the
 * tables and tier queues from infra/resources.ts, the HTTP API gateway, and one SQS poller per tier that
 * invokes the worker like a Lambda event source mapping. The handlers are the deployed ones, unchanged,
 * talking to the emulators through the same SDK calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { queueDefaults, TIERS, tierDefaults } from '../../infra/resources.ts';
import { routes } from '../api/routes.ts';
import { ENV } from '../config/config.ts';
import { startDynamoDbLocal } from './emulators/dynamodb-local.ts';
import { startSqsEmulator } from './emulators/sqs-emulator.ts';
import { startSqsPoller } from './event-source/sqs-poller.ts';
import { type HttpLambda, startHttpGateway } from './http-gateway.ts';
import { startLifecycleSources } from './lifecycle-sources.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from './local-aws.ts';
import { type LocalQueues, provisionQueues, provisionTables } from './provision.ts';
import { startRealtime } from './realtime/index.ts';

export interface LocalStackOptions {
  port: number;
  /** The WebSocket API's port; 0 (the default) picks a free one. */
  wsPort?: number;
  host?: string;
  /** Keep DynamoDB data here between restarts; in memory when undefined. */
  dataDir?: string;
  /** Use already-running emulators instead of starting new ones (tests share one pair). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /** Prefix of table and queue names, so several stacks can share emulators. */
  prefix?: string;
  jwtSecret: string;
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
  logLevel?: string;
  /** How often the maintenance sweep runs (EventBridge fires it every minute). */
  maintenanceIntervalMs?: number;
  /** Seconds before a queued job's message counts as lost (LOST_MESSAGE_AFTER_SECONDS). */
  lostMessageAfterSeconds?: number;
  /** Tier queue settings (tests shorten the visibility timeout and the receives before the DLQ). */
  queues?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number };
  /** Called with poller errors (the emulator going away, handler crashes). */
  onError?: (error: unknown) => void;
}

export interface LocalStack {
  httpUrl: string;
  wsUrl: string;
  queues: LocalQueues;
  tables: Record<string, string>;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
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
    const sqsEndpoint = options.sqsEndpoint ?? (await startOwned(cleanups, () => startSqsEmulator({})));
    const dynamo = new DynamoDBClient({ region, credentials, endpoint: dynamodbEndpoint });
    const sqs = new SQSClient({ region, credentials, endpoint: sqsEndpoint });
    const prefix = options.prefix ?? 'local';
    const tables = await provisionTables(dynamo, prefix);
    const queues = await provisionQueues(sqs, prefix, options.queues);

    configureEnvironment(options, { dynamodbEndpoint, sqsEndpoint, tables, queues });
    const gateway = await startHttpGateway({
      port: options.port,
      ...(options.host && { host: options.host }),
      routes,
      loadHandler: async (route) =>
        ((await import(`../handlers/api/${route.handler}.ts`)) as { handler: HttpLambda }).handler,
      authorizer: (await import('../handlers/authorizer.ts')).handler,
    });
    cleanups.push(gateway.close);
    const realtime = await startRealtime({
      port: options.wsPort ?? 0,
      ...(options.host && { host: options.host }),
      dynamodbEndpoint,
      jobsTableName: tables.Jobs as string,
      connectionsTableName: tables.Connections as string,
      ...(options.onError && { onError: options.onError }),
    });
    cleanups.push(realtime.stop);

    const worker = (await import('../handlers/worker.ts')) as {
      handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
    };
    for (const tier of TIERS) {
      const poller = startSqsPoller({
        sqs,
        queueUrl: queues.urls[tier],
        queueArn: queues.arns[tier],
        batchSize: tierDefaults[tier].batchSize,
        maxConcurrency: tierDefaults[tier].maxConcurrency,
        functionTimeoutMs: queueDefaults.workerTimeoutSeconds * 1000,
        functionName: `worker-${tier}`,
        region,
        handler: worker.handler,
        onError: options.onError ?? (() => undefined),
      });
      // Ctrl-C must not wait for a 14-minute job: in-flight runs are recovered on the next start.
      cleanups.push(() =>
        Promise.race([poller.stop(), new Promise<void>((resolve) => setTimeout(resolve, 3000))]),
      );
    }
    const lifecycle = await startLifecycleSources({
      dynamo,
      dynamodbEndpoint,
      sqs,
      queues,
      jobsTableName: tables.Jobs as string,
      region,
      credentials,
      maintenanceIntervalMs: options.maintenanceIntervalMs ?? 60_000,
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

/** The handlers read their configuration from the environment at import, exactly as in Lambda. */
function configureEnvironment(
  options: LocalStackOptions,
  resources: {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
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
    [ENV.jobsTable]: resources.tables.Jobs,
    [ENV.queueUrl.critical]: resources.queues.urls.critical,
    [ENV.queueUrl.high]: resources.queues.urls.high,
    [ENV.queueUrl.normal]: resources.queues.urls.normal,
    [ENV.queueUrl.low]: resources.queues.urls.low,
    [ENV.deadLetterQueueUrl.critical]: resources.queues.deadLetterUrls.critical,
    [ENV.deadLetterQueueUrl.high]: resources.queues.deadLetterUrls.high,
    [ENV.deadLetterQueueUrl.normal]: resources.queues.deadLetterUrls.normal,
    [ENV.deadLetterQueueUrl.low]: resources.queues.deadLetterUrls.low,
    [ENV.lostMessageAfterSeconds]: String(options.lostMessageAfterSeconds ?? 900),
    [ENV.authMode]: 'hs256',
    [ENV.jwtSecret]: options.jwtSecret,
    [ENV.heartbeatSeconds]: String(options.heartbeatSeconds ?? 5),
    [ENV.staleAfterSeconds]: String(options.staleAfterSeconds ?? 30),
    LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'warn',
  });
}
