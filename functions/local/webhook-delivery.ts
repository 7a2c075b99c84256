/**
 * The local webhook delivery: the delivery function's environment (the local queue URLs, AES-GCM sealing
 * with a local key, http://127.0.0.1 targets allowed) and a poller on the delivery queue that invokes the
 * deployed handler like its event source mapping (infra/webhook-settings.ts). As deployed, the poller runs
 * only while some webhook exists: it starts that way and is switched through the local Lambda API
 * (WEBHOOK_EVENT_SOURCE_MAPPING names it) by the webhook routes and the maintenance run.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { webhookDeliveryEventSource } from '../../infra/webhook-settings.ts';
import { DynamoWebhookRegistry } from '../adapters/dynamodb/webhook-registry.ts';
import { WEBHOOK_ENV } from '../wiring/webhooks-config.ts';
import type { EventSourceMappingsApi } from './emulators/event-source-mappings-api.ts';
import { sqsPollerSettings, type TimeoutOverrides } from './event-source/mappings.ts';
import { registerPollerMapping } from './event-source/poller-mapping.ts';
import { startSqsPoller } from './event-source/sqs-poller.ts';
import { LOCAL_REGION } from './local-aws.ts';
import type { LocalQueues } from './provision.ts';
import type { LocalWebhookQueues } from './webhook-queues.ts';

export function webhookEnvironment(
  queues: LocalWebhookQueues,
  options: { sealingSecret: string; retryFirstDelaySeconds?: number },
): Record<string, string> {
  return {
    [WEBHOOK_ENV.queueUrl]: queues.url,
    [WEBHOOK_ENV.deadLetterQueueUrl]: queues.deadLetterUrl,
    [WEBHOOK_ENV.sealingSecret]: options.sealingSecret,
    // A developer receives webhooks on this machine: http and loopback targets are allowed locally only.
    [WEBHOOK_ENV.allowLocalTargets]: 'true',
    ...(options.retryFirstDelaySeconds !== undefined && {
      [WEBHOOK_ENV.retryFirstDelaySeconds]: String(options.retryFirstDelaySeconds),
    }),
  };
}

export const localWebhookMappingUuid = (prefix: string) => `local-${prefix}-webhook-delivery`;

/** The environment that points the webhook routes and the maintenance run at the local mapping. */
export const webhookMappingEnvironment = (prefix: string): Record<string, string> => ({
  [WEBHOOK_ENV.eventSourceMapping]: localWebhookMappingUuid(prefix),
});

export async function startWebhookDelivery(options: {
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  jobsTable: string;
  queues: LocalQueues;
  mappingsApi: EventSourceMappingsApi;
  prefix: string;
  timeouts: TimeoutOverrides;
  onError?: ((error: unknown) => void) | undefined;
}): Promise<() => Promise<void>> {
  const delivery = (await import('../handlers/webhook-delivery.ts')) as {
    handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  };
  const settings = sqsPollerSettings(webhookDeliveryEventSource, options.timeouts);
  const { webhooks } = options.queues;
  const poller = startSqsPoller({
    sqs: options.sqs,
    queueUrl: webhooks.url,
    queueArn: webhooks.arn,
    ...settings,
    functionName: 'webhook-delivery',
    region: LOCAL_REGION,
    handler: delivery.handler,
    onError: options.onError ?? (() => undefined),
    // Created disabled, as in the template; on at start when webhooks exist (a restart keeps delivering).
    paused: !(
      webhookDeliveryEventSource.enabled !== false ||
      (await new DynamoWebhookRegistry(options.dynamo, options.jobsTable).anyExists())
    ),
  });
  registerPollerMapping(options.mappingsApi, {
    uuid: localWebhookMappingUuid(options.prefix),
    functionName: 'webhook-delivery',
    queueArn: webhooks.arn,
    batchSize: settings.batchSize,
    poller,
  });
  // In-flight attempts are at most 10 s; their messages come back after the visibility timeout otherwise.
  return () => Promise.race([poller.stop(), new Promise<void>((resolve) => setTimeout(resolve, 3000))]);
}
