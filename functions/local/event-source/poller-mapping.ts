/**
 * A local SQS poller served as an event source mapping by the local Lambda API
 * (emulators/event-source-mappings-api.ts): the handlers switch it with the same SDK calls that switch
 * the deployed mapping (tier pause: tier-mappings.ts; the webhook delivery queue: ../webhook-delivery.ts).
 */
import type { EventSourceMappingsApi } from '../emulators/event-source-mappings-api.ts';
import { LOCAL_REGION } from '../local-aws.ts';
import type { SqsPoller } from './sqs-poller.ts';

export function registerPollerMapping(
  api: EventSourceMappingsApi,
  options: { uuid: string; functionName: string; queueArn: string; batchSize: number; poller: SqsPoller },
): void {
  const { poller } = options;
  api.register({
    uuid: options.uuid,
    eventSourceArn: options.queueArn,
    functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${options.functionName}`,
    batchSize: options.batchSize,
    get enabled() {
      return !poller.paused;
    },
    setEnabled: (enabled) => (enabled ? poller.resume() : poller.pause()),
  });
}
