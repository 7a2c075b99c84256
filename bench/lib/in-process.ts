/**
 * The harness of the sections that invoke the deployed handlers in-process (overhead, scale): DynamoDB
 * Local (a JVM of its own) and an SQS endpoint, the tables and queues provisioned from infra/resources.ts,
 * the handlers' environment set exactly as the local stack sets it, and API Gateway's events.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startDynamoDbLocal } from '../../functions/local/emulators/dynamodb-local.ts';
import { lambdaContext } from '../../functions/local/lambda-context.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { configureEnvironment } from '../../functions/local/stack.ts';
import { REALTIME_ENV } from '../../functions/wiring/realtime-config.ts';
import { JWT_SECRET } from './local-stack.ts';

export type Handler<E, R = unknown> = { handler: (event: E, context: Context) => Promise<R> };
export type Route = Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

export async function startHandlerEnvironment(
  prefix: string,
  sqs: { endpoint: string; stop(): Promise<void> },
) {
  const dynamodb = await startDynamoDbLocal({});
  const setupDynamo = new DynamoDBClient({ ...localClientConfig(dynamodb.endpoint), maxAttempts: 10 });
  const setupSqs = new SQSClient(localClientConfig(sqs.endpoint));
  const tables = await provisionTables(setupDynamo, prefix);
  const queues = await provisionQueues(setupSqs, prefix);
  const resources = { dynamodbEndpoint: dynamodb.endpoint, sqsEndpoint: sqs.endpoint, tables, queues };
  configureEnvironment({ port: 0, jwtSecret: JWT_SECRET, logLevel: 'error' }, resources);
  process.env[REALTIME_ENV.connectionsTable] = tables.Connections;
  return {
    tables,
    queues,
    setupDynamo,
    stop: async () => {
      setupDynamo.destroy();
      setupSqs.destroy();
      await Promise.all([dynamodb.stop(), sqs.stop()]);
    },
  };
}

/** A handler module of functions/handlers, loaded after the environment is set. */
export const load = async <T>(module: string) => (await import(`../../functions/handlers/${module}.ts`)) as T;

export const context = (name: string, timeoutMs = 29_000) => lambdaContext(name, timeoutMs);

/** An HTTP API event (payload 2.0) as API Gateway sends it once the authorizer has let the caller in. */
export function apiEvent(
  routeKey: string,
  path: string,
  caller: { userId: string; isAdmin: boolean },
  extra: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 {
  const now = new Date();
  const [method = 'GET'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `${now.getTime()}-${Math.random()}`,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { lambda: caller },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...extra,
  };
}
