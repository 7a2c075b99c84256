/**
 * The every-minute maintenance run (EventBridge): the parts of `recover` (maintenance.ts) in the same
 * order, with two additions that keep an idle deployment cheap (README "Performance and cost"): it reads
 * and empties the tier dead-letter queues, which have no event source mapping (dead-letter-drain.ts), and it
 * skips the parts whose statuses the statistics counters show empty (sweep-plan.ts); last, it switches the
 * webhook delivery queue's event source on or off to match "some webhook exists"
 * (webhooks/delivery-source.ts). `POST /admin/recover`
 * and the local start run `recover` itself: everything, without the dead-letter queues.
 */
import { type DeadLetterQueues, drainDeadLetters } from './dead-letter-drain.ts';
import {
  type MaintenanceDeps,
  type RecoveryReport,
  recoverPlanned,
  startDueSchedules,
} from './maintenance.ts';
import { planSweep } from './sweep-plan.ts';
import {
  type DeliverySourceDeps,
  type DeliverySwitch,
  reconcileDeliveries,
} from './webhooks/delivery-source.ts';

export interface ScheduledSweepReport extends RecoveryReport {
  /** Dead-letter queue messages handled (their jobs marked `dead`, or stale ones dropped). */
  deadLettered: number;
  /** What the webhook delivery event source needed: `none` while it matches (webhooks/delivery-source.ts). */
  webhookDeliveries: DeliverySwitch;
}

export async function scheduledSweep(
  deps: MaintenanceDeps & { deadLetters: DeadLetterQueues; webhookDeliveries: DeliverySourceDeps },
): Promise<ScheduledSweepReport> {
  const scheduled = await startDueSchedules(deps);
  // Before the stale sweep: a job whose message was dead-lettered is buried at the epoch of that message,
  // not recovered under a new one (which would leave the dead letter stale).
  const deadLettered = await drainDeadLetters(deps);
  const recovered = await recoverPlanned(deps, await planSweep(deps));
  const webhookDeliveries = await reconcileDeliveries(deps.webhookDeliveries);
  return { ...recovered, scheduled, deadLettered, webhookDeliveries };
}
