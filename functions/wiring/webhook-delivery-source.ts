/**
 * The webhook delivery queue's event source switch (usecases/webhooks/delivery-source.ts), built once
 * from the environment: the registration and removal routes and the every-minute maintenance run use it.
 */
import { DynamoWebhookRegistry } from '../adapters/dynamodb/webhook-registry.ts';
import { LambdaEventSourceSwitch } from '../adapters/lambda/event-source-switch.ts';
import type { DeliverySourceDeps } from '../usecases/webhooks/delivery-source.ts';
import { jobsTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';
import { lambdaClient } from './lambda-client.ts';
import { logger } from './logger.ts';
import { webhookEventSourceMapping } from './webhooks-config.ts';

export const deliverySourceDeps: DeliverySourceDeps = {
  registry: new DynamoWebhookRegistry(dynamoClient, jobsTableName()),
  source: new LambdaEventSourceSwitch(lambdaClient, webhookEventSourceMapping()),
  logger,
};
