/**
 * The local webhook delivery: the delivery function's environment (the local queue URLs, AES-GCM sealing
 * with a local key, http://127.0.0.1 targets allowed) and a poller on the delivery queue that invokes the
 * deployed handler like its event source mapping (infra/webhook-settings.ts).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { webhookDeliveryEventSource } from '../../infra/webhook-settings.ts';
import { WEBHOOK_ENV } from '../wiring/webhooks-config.ts';
import { sqsPollerSettings, type TimeoutOverrides } from './event-source/mappings.ts';
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

export async function startWebhookDelivery(options: {
  sqs: SQSClient;
  queues: LocalQueues;
  timeouts: TimeoutOverrides;
  onError?: ((error: unknown) => void) | undefined;
}): Promise<() => Promise<void>> {
  const delivery = (await import('../handlers/webhook-delivery.ts')) as {
    handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  };
  const poller = startSqsPoller({
    sqs: options.sqs,
    queueUrl: options.queues.webhooks.url,
    queueArn: options.queues.webhooks.arn,
    ...sqsPollerSettings(webhookDeliveryEventSource, options.timeouts),
    functionName: 'webhook-delivery',
    region: LOCAL_REGION,
    handler: delivery.handler,
    onError: options.onError ?? (() => undefined),
  });
  // In-flight attempts are at most 10 s; their messages come back after the visibility timeout otherwise.
  return () => Promise.race([poller.stop(), new Promise<void>((resolve) => setTimeout(resolve, 3000))]);
}
