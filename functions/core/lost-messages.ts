/**
 * Re-sending a job whose message may be lost (the maintenance sweep), with a cap. A queued or retrying job
 * that no worker claimed within `lostAfterMs` of its last dispatch is sent again under a new epoch. A message
 * whose handler crashes before the claim would otherwise be re-sent forever (its dead-lettered copy carries
 * a stale epoch and changes nothing), so each re-send waits twice as long as the one before, and after
 * MAX_RESENDS unclaimed re-sends the job is dead with a clear error (redrive brings it back). A claim starts
 * the count again. A backlog that keeps a job waiting longer than the whole series (15 min × 63 ≈ 16 h
 * with the defaults) also ends it dead: raise `maxConcurrency` or LOST_MESSAGE_AFTER_SECONDS for such
 * queues.
 *
 * A paused tier's queued jobs are not lost: their messages wait in the tier's queue, which nobody receives
 * from. They are left alone while it is paused, and after it is resumed their wait counts from the resume.
 */
import { type Job, type JobErrorInfo, statusTime } from './job.ts';
import type { TierState } from './tier-control.ts';
import type { Transition } from './transitions.ts';

/** Unclaimed re-sends of one job before it is declared dead. */
export const MAX_RESENDS = 5;

export const messageLost = (resends: number): JobErrorInfo => ({
  code: 'message_lost',
  message: `The job's message was re-sent ${resends} times without a worker claiming it (the message was lost, or its handler crashes before the claim)`,
  retryable: false,
});

/** How long the job's current message may wait unclaimed before the next re-send (doubling each time). */
export const resendDueAfterMs = (job: Job, lostAfterMs: number): number =>
  lostAfterMs * 2 ** (job.resends ?? 0);

/**
 * queued|retrying at `epoch`, unclaimed for its re-send delay → a new epoch and message (`resends` + 1),
 * or, past MAX_RESENDS, dead. Null when the job's current message is not overdue yet, or its tier (`tier`,
 * the state of the job's tier) is paused.
 */
export function resendLost(job: Job, now: Date, lostAfterMs: number, tier?: TierState): Transition | null {
  if (tier?.paused) return null;
  const waitingSince = Math.max(
    new Date(statusTime(job)).getTime(),
    tier?.resumedAt ? new Date(tier.resumedAt).getTime() : 0,
  );
  const waitedMs = now.getTime() - waitingSince;
  if (waitedMs < resendDueAfterMs(job, lostAfterMs)) return null;
  const resends = job.resends ?? 0;
  const expect = { status: ['queued', 'retrying'] as const, epoch: job.epoch };
  if (resends >= MAX_RESENDS) {
    return {
      name: 'giveUpLost',
      expect,
      set: { status: 'dead', error: messageLost(resends), completedAt: now.toISOString() },
    };
  }
  return {
    name: 'redispatch',
    expect,
    set: { epoch: job.epoch + 1, dispatchedAt: now.toISOString(), resends: resends + 1 },
  };
}
