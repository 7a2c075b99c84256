/**
 * The local WebSocket API: the gateway on `port` (the deployed ws handlers behind it), the management API
 * the handlers post to (loopback, its own port), and the jobs table's stream feeding the notifier like
 * a Lambda event source mapping. The handlers read their configuration at import, so the environment is
 * set first and the handlers are imported after.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import { apiGatewayLimits, streamEventSources } from '../../../infra/function-settings.ts';
import { WS_ACTIONS } from '../../usecases/realtime/client-messages.ts';
import { REALTIME_ENV } from '../../wiring/realtime-config.ts';
import { localTimeoutMs, streamReaderSettings, type TimeoutOverrides } from '../event-source/mappings.ts';
import { fenceClient, invokeWithTimeout } from '../invoke-with-timeout.ts';
import { localClientConfig } from '../local-aws.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { startStreamReader } from './dynamodb-stream-reader.ts';
import { startManagementApi } from './management-api.ts';
import { startWsGateway, type WsHandlers } from './ws-gateway.ts';

export interface RealtimeOptions {
  port: number;
  host?: string;
  dynamodbEndpoint: string;
  jobsTableName: string;
  connectionsTableName: string;
  /** Function timeouts by handler module; the deployed ones where not set. */
  functionTimeoutsMs?: TimeoutOverrides;
  /** Handler failures and stream errors. */
  onError?: (error: unknown) => void;
}

export interface Realtime {
  wsUrl: string;
  managementEndpoint: string;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
};

export async function startRealtime(options: RealtimeOptions): Promise<Realtime> {
  const onError = options.onError ?? (() => undefined);
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(onError);
  };
  try {
    const registry = new ConnectionRegistry();
    const management = await startManagementApi({ registry });
    cleanups.push(management.close);

    for (const [name, value] of Object.entries(LOCAL_CREDENTIALS)) process.env[name] ??= value;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? options.dynamodbEndpoint,
      [REALTIME_ENV.connectionsTable]: options.connectionsTableName,
      [REALTIME_ENV.jobsTable]: options.jobsTableName,
      [REALTIME_ENV.wsManagementEndpoint]: management.endpoint,
    });
    const [authorizer, connect, disconnect, message, notifier] = await Promise.all([
      import('../../handlers/ws/authorizer.ts'),
      import('../../handlers/ws/connect.ts'),
      import('../../handlers/ws/disconnect.ts'),
      import('../../handlers/ws/message.ts'),
      import('../../handlers/notifier.ts'),
    ]);
    fenceClient((await import('../../wiring/realtime-poster.ts')).managementApi);
    const timeouts = options.functionTimeoutsMs ?? {};
    // Each route's function stops at its own timeout or API Gateway's 29 s, whichever comes first.
    const limited =
      <E, R>(module: string, handler: (event: E, context: Context) => Promise<R>) =>
      (event: E): Promise<R> =>
        invokeWithTimeout(handler, event, {
          functionName: module,
          timeoutMs: Math.min(
            localTimeoutMs(module, timeouts),
            apiGatewayLimits.webSocketIntegrationTimeoutSeconds * 1000,
          ),
        }).result;
    const handlers: WsHandlers = {
      authorizer: limited('ws/authorizer', authorizer.handler),
      connect: limited('ws/connect', connect.handler),
      disconnect: limited('ws/disconnect', disconnect.handler),
      message: limited('ws/message', message.handler),
    };
    const gateway = await startWsGateway({
      port: options.port,
      ...(options.host && { host: options.host }),
      registry,
      handlers,
      routeKeys: WS_ACTIONS,
      onError,
    });
    cleanups.push(gateway.close);

    const clientConfig = localClientConfig(options.dynamodbEndpoint);
    const dynamodb = new DynamoDBClient(clientConfig);
    const streams = new DynamoDBStreamsClient(clientConfig);
    cleanups.push(async () => {
      dynamodb.destroy();
      streams.destroy();
    });
    const reader = await startStreamReader({
      dynamodb,
      streams,
      tableName: options.jobsTableName,
      handler: notifier.handler,
      ...streamReaderSettings(streamEventSources.notifier, timeouts),
      onError,
    });
    cleanups.push(reader.stop);

    return { wsUrl: gateway.url, managementEndpoint: management.endpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
