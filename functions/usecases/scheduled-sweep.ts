/**
 * The every-minute maintenance run (EventBridge): the parts of `recover` (maintenance.ts) in the same
 * order, with two additions that keep an idle deployment cheap (README "Performance and cost"): it reads
 * and empties the tier dead-letter queues, which have no event source mapping (dead-letter-drain.ts), and it
 * skips the parts whose statuses the statistics counters show empty (sweep-plan.ts). `POST /admin/recover`
 * and the local start run `recover` itself: everything, without the dead-letter queues.
 */
import { ALL_RUNNING } from '../core/tier-control.ts';
import { type DeadLetterQueues, drainDeadLetters } from './dead-letter-drain.ts';
import {
  dispatchDueJobs,
  type MaintenanceDeps,
  promoteUrgentJobs,
  type RecoveryReport,
  recoverStaleRuns,
  resendLostMessages,
  settleOrphanedDependants,
} from './maintenance.ts';
import { runDueSchedules } from './schedules/run-schedules.ts';
import { planSweep } from './sweep-plan.ts';

export interface ScheduledSweepReport extends RecoveryReport {
  /** Dead-letter queue messages handled (their jobs marked `dead`, or stale ones dropped). */
  deadLettered: number;
}

export async function scheduledSweep(
  deps: MaintenanceDeps & { deadLetters: DeadLetterQueues },
): Promise<ScheduledSweepReport> {
  const report: ScheduledSweepReport = {
    recovered: 0,
    dispatched: 0,
    promoted: 0,
    scheduled: 0,
    deadLettered: 0,
  };
  // First: a schedule's job is due within the minute, the rest is recovery that can wait for the next run.
  if (deps.schedules)
    report.scheduled += await runDueSchedules({
      ...deps.schedules,
      clock: deps.clock,
      logger: deps.logger,
      outOfTime: deps.outOfTime,
    });
  // Before the stale sweep: a job whose message was dead-lettered is buried at the epoch of that message,
  // not recovered under a new one (which would leave the dead letter stale).
  report.deadLettered += await drainDeadLetters(deps);
  const plan = await planSweep(deps);
  if (plan.stale) report.recovered += await recoverStaleRuns(deps);
  if (plan.scheduled) report.dispatched += await dispatchDueJobs(deps);
  if (plan.lost || plan.urgent) {
    const tiers = (await deps.tiers?.read()) ?? ALL_RUNNING;
    if (plan.lost) report.recovered += await resendLostMessages(deps, tiers);
    if (plan.urgent) report.promoted += await promoteUrgentJobs(deps, tiers);
  }
  if (plan.pending) report.recovered += await settleOrphanedDependants(deps);
  return report;
}
