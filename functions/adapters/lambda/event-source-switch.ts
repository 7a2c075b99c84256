/**
 * Deployed, a tier's workers receive through the SQS event source mapping of its queue: disabling the
 * mapping (UpdateEventSourceMapping Enabled=false) stops all receives; the batches already handed to the
 * worker finish. The mappings' UUIDs come from the stack (TIER_EVENT_SOURCE_MAPPINGS). Locally the same
 * call reaches the local stack's event source emulator (AWS_ENDPOINT_URL_LAMBDA), which pauses the poller.
 */
import { type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { TierEventSources } from '../../core/tier-control.ts';
import type { Tier } from '../../core/tiers.ts';

export class LambdaTierEventSources implements TierEventSources {
  constructor(
    private readonly client: LambdaClient,
    private readonly mappings: Record<Tier, string>,
  ) {}

  async setEnabled(tier: Tier, enabled: boolean): Promise<void> {
    await this.client.send(
      new UpdateEventSourceMappingCommand({ UUID: this.mappings[tier], Enabled: enabled }),
    );
  }
}
