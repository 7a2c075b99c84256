/**
 * When a failed delivery is tried again: growing delays (the first within 30 s), for 24 hours after the
 * first attempt, then the delivery is `failed`. A pure function of the attempt number and the elapsed
 * time; the delivery queue's message visibility carries the delay.
 */

export interface RetrySchedule {
  /** The delay after the first failed attempt, in seconds (doubling after each further failure). */
  firstDelaySeconds: number;
  /** The longest delay between two attempts. */
  maxDelaySeconds: number;
  /** No attempt starts later than this after the first. */
  giveUpAfterSeconds: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  firstDelaySeconds: 10,
  // Below SQS's 12-hour visibility limit; two-hourly attempts late in the day.
  maxDelaySeconds: 2 * 3600,
  giveUpAfterSeconds: 24 * 3600,
};

export type RetryDecision = { retry: true; delaySeconds: number } | { retry: false };

/**
 * After failed attempt `attempt` (1 = the first), `elapsedSeconds` after the first attempt began: wait
 * `delaySeconds` and try again (the last wait is shortened to end at the window's end), or give up once
 * the window is over.
 */
export function nextRetry(schedule: RetrySchedule, attempt: number, elapsedSeconds: number): RetryDecision {
  const remaining = Math.floor(schedule.giveUpAfterSeconds - elapsedSeconds);
  if (remaining <= 0) return { retry: false };
  const doubled = schedule.firstDelaySeconds * 2 ** Math.min(30, Math.max(0, attempt - 1));
  const delaySeconds = Math.max(1, Math.min(schedule.maxDelaySeconds, Math.ceil(doubled), remaining));
  return { retry: true, delaySeconds };
}
