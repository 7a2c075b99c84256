/**
 * The local tier queues' "event source mappings": each tier's SQS poller, known to the handlers by a UUID
 * (TIER_EVENT_SOURCE_MAPPINGS) and switched through the local Lambda API (AWS_ENDPOINT_URL_LAMBDA), as the
 * deployed mappings are. Whether a tier starts paused comes from the stored tier states, so a pause
 * survives a restart of `npm start`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTierControlStore } from '../../adapters/dynamodb/tier-control-store.ts';
import type { TierStates } from '../../core/tier-control.ts';
import { TIERS, type Tier } from '../../core/tiers.ts';
import { TIER_CONTROL_ENV } from '../../wiring/tier-control-env.ts';
import type { EventSourceMappingsApi } from '../emulators/event-source-mappings-api.ts';
import { registerPollerMapping } from './poller-mapping.ts';
import type { SqsPoller } from './sqs-poller.ts';

export const localMappingUuid = (prefix: string, tier: Tier) => `local-${prefix}-worker-${tier}`;

/** The environment that points the pause routes at the local mappings. */
export const tierMappingsEnvironment = (
  api: EventSourceMappingsApi,
  prefix: string,
): Record<string, string> => ({
  AWS_ENDPOINT_URL_LAMBDA: api.endpoint,
  [TIER_CONTROL_ENV.tierEventSourceMappings]: JSON.stringify(
    Object.fromEntries(TIERS.map((tier) => [tier, localMappingUuid(prefix, tier)])),
  ),
});

export const storedTierStates = (dynamo: DynamoDBClient, jobsTable: string): Promise<TierStates> =>
  new DynamoTierControlStore(dynamo, jobsTable).read();

/** Serves `poller` as the tier's mapping. */
export function registerTierMapping(
  api: EventSourceMappingsApi,
  options: { prefix: string; tier: Tier; queueArn: string; batchSize: number; poller: SqsPoller },
): void {
  registerPollerMapping(api, {
    uuid: localMappingUuid(options.prefix, options.tier),
    functionName: 'worker',
    queueArn: options.queueArn,
    batchSize: options.batchSize,
    poller: options.poller,
  });
}
