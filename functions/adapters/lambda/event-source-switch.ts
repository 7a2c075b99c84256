/**
 * Deployed, a queue's consumers receive through its SQS event source mapping: disabling the mapping
 * (UpdateEventSourceMapping Enabled=false) stops all receives; the batches already handed to the function
 * finish. Used for the tier queues (tier pause; UUIDs from TIER_EVENT_SOURCE_MAPPINGS) and the webhook
 * delivery queue (on only while some webhook exists; WEBHOOK_EVENT_SOURCE_MAPPING). Locally the same calls
 * reach the local stack's event source emulator (AWS_ENDPOINT_URL_LAMBDA), which pauses the poller.
 * Both calls are control-plane requests, which AWS does not bill.
 */
import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { EventSourceState, EventSourceSwitch } from '../../core/event-source.ts';
import type { TierEventSources } from '../../core/tier-control.ts';
import type { Tier } from '../../core/tiers.ts';

/** One mapping, by UUID. */
export class LambdaEventSourceSwitch implements EventSourceSwitch {
  constructor(
    private readonly client: LambdaClient,
    private readonly uuid: string,
  ) {}

  async state(): Promise<EventSourceState> {
    const { State } = await this.client.send(new GetEventSourceMappingCommand({ UUID: this.uuid }));
    return mappingState(State);
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await this.client.send(new UpdateEventSourceMappingCommand({ UUID: this.uuid, Enabled: enabled }));
  }
}

/** Lambda's states: Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting. */
function mappingState(state: string | undefined): EventSourceState {
  switch (state) {
    case 'Enabled':
      return 'enabled';
    case 'Enabling':
      return 'enabling';
    case 'Disabled':
      return 'disabled';
    case 'Disabling':
      return 'disabling';
    default:
      return 'busy';
  }
}

export class LambdaTierEventSources implements TierEventSources {
  private readonly switches: Record<Tier, LambdaEventSourceSwitch>;

  constructor(client: LambdaClient, mappings: Record<Tier, string>) {
    this.switches = Object.fromEntries(
      Object.entries(mappings).map(([tier, uuid]) => [tier, new LambdaEventSourceSwitch(client, uuid)]),
    ) as Record<Tier, LambdaEventSourceSwitch>;
  }

  setEnabled(tier: Tier, enabled: boolean): Promise<void> {
    return this.switches[tier].setEnabled(enabled);
  }
}
