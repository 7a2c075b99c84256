/**
 * The embedded local stack behind `npm start` and the e2e tests: DynamoDB Local and an SQS emulator, the
 * tables and tier queues from infra/resources.ts, the HTTP API gateway, and one SQS poller per tier that
 * invokes the worker like a Lambda event source mapping. The handlers are the deployed ones, unchanged,
 * talking to the emulators through the same SDK calls.
 */

import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { schedules, tierEventSources } from '../../infra/function-settings.ts';
import { TIERS } from '../../infra/resources.ts';
import { routes } from '../api/routes.ts';
import { dashboardCors } from './cors.ts';
import { startDashboardServer } from './dashboard-server.ts';
import { startDynamoDbLocal } from './emulators/dynamodb-local.ts';
import { startEventSourceMappingsApi } from './emulators/event-source-mappings-api.ts';
import { startSqsEmulator } from './emulators/sqs-emulator.ts';
import { localTimeoutMs, sqsPollerSettings, type TimeoutOverrides } from './event-source/mappings.ts';
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
import { configureEnvironment, type LocalStackOptions } from './stack-options.ts';
import { startWebhookDelivery, webhookMappingEnvironment } from './webhook-delivery.ts';

export { configureEnvironment, type LocalStackOptions } from './stack-options.ts';

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
    // The tier pause routes and the webhook switch turn the pollers on and off through a local Lambda API,
    // as they switch mappings deployed.
    const mappingsApi = await startEventSourceMappingsApi();
    cleanups.push(mappingsApi.stop);
    Object.assign(
      process.env,
      tierMappingsEnvironment(mappingsApi, prefix),
      webhookMappingEnvironment(prefix),
    );
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
    cleanups.push(
      await startWebhookDelivery({
        sqs,
        dynamo,
        jobsTable: tables.Jobs as string,
        queues,
        mappingsApi,
        prefix,
        timeouts,
        onError: options.onError,
      }),
    );
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
