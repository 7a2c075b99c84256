/**
 * The every-minute maintenance run (EventBridge): the parts of `recover` (maintenance.ts) in the same
 * order, with two additions that keep an idle deployment cheap (README "Performance and cost"): it reads
 * and empties the tier dead-letter queues, which have no event source mapping (dead-letter-drain.ts), and it
 * skips the parts whose statuses the statistics counters show empty (sweep-plan.ts). `POST /admin/recover`
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

export interface ScheduledSweepReport extends RecoveryReport {
  /** Dead-letter queue messages handled (their jobs marked `dead`, or stale ones dropped). */
  deadLettered: number;
}

export async function scheduledSweep(
  deps: MaintenanceDeps & { deadLetters: DeadLetterQueues },
): Promise<ScheduledSweepReport> {
  const scheduled = await startDueSchedules(deps);
  // Before the stale sweep: a job whose message was dead-lettered is buried at the epoch of that message,
  // not recovered under a new one (which would leave the dead letter stale).
  const deadLettered = await drainDeadLetters(deps);
  const recovered = await recoverPlanned(deps, await planSweep(deps));
  return { ...recovered, scheduled, deadLettered };
}
