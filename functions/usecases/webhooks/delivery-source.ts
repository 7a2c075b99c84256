/**
 * The webhook delivery queue's event source runs only while some webhook is registered, so a deployment
 * without webhooks pays no idle polls of that queue (README "Webhooks"):
 * - a registration enables it before answering (`switchDeliveries(deps, true)`);
 * - a removal disables it when no webhook is left;
 * - the every-minute maintenance run reconciles it with "some webhook exists" (`reconcileDeliveries`), so
 *   a lost race between a registration and a removal, a failed switch, or a deployment that reset the
 *   mapping is repaired within a minute. Switching is idempotent and only done on a mismatch.
 * While it is off, deliveries wait in the queue (they are only ever queued for webhooks that existed a
 * moment before); the delivery function drops those of deleted webhooks when it gets them.
 */
import type { Logger } from '../../agents/registry.ts';
import { type EventSourceSwitch, type SwitchAction, switchAction } from '../../core/event-source.ts';
import type { WebhookRegistry } from './ports.ts';

export interface DeliverySourceDeps {
  registry: WebhookRegistry;
  source: EventSourceSwitch;
  logger: Logger;
}

/** What a switch did; `failed` when the source could not be read or switched (logged). */
export type DeliverySwitch = SwitchAction | 'failed';

/** Makes the delivery event source on (`wanted`) or off; never throws: the maintenance run repairs it. */
export async function switchDeliveries(
  deps: DeliverySourceDeps,
  wanted: boolean | (() => Promise<boolean>),
): Promise<DeliverySwitch> {
  try {
    const on = typeof wanted === 'boolean' ? wanted : await wanted();
    const action = switchAction(on, await deps.source.state());
    if (action === 'enable' || action === 'disable') await deps.source.setEnabled(action === 'enable');
    return action;
  } catch (error) {
    deps.logger.error('could not switch the webhook delivery event source; the maintenance run retries', {
      error,
    });
    return 'failed';
  }
}

/** On exactly while some webhook exists. */
export const reconcileDeliveries = (deps: DeliverySourceDeps): Promise<DeliverySwitch> =>
  switchDeliveries(deps, () => deps.registry.anyExists());
