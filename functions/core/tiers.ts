/** Priority 1-10 maps onto four SQS tiers; the tier decides which queue (and how much concurrency) a job gets. */
export const TIERS = ['critical', 'high', 'normal', 'low'] as const;
export type Tier = (typeof TIERS)[number];

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 5;

export function tierForPriority(priority: number): Tier {
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new RangeError(
      `priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}, got ${priority}`,
    );
  }
  if (priority >= 9) return 'critical';
  if (priority >= 7) return 'high';
  if (priority >= 4) return 'normal';
  return 'low';
}

/** One tier up (used for jobs close to their deadline); critical stays critical. */
export function higherTier(tier: Tier): Tier {
  const index = TIERS.indexOf(tier);
  return TIERS[Math.max(0, index - 1)] ?? 'critical';
}
