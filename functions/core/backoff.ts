/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * delay = random(0, min(cap, base * 2^(retry-1))). A pure function; randomness is injected.
 */
export const MAX_BACKOFF_SECONDS = 12 * 60 * 60; // SQS visibility timeout ceiling

export interface BackoffOptions {
  baseSeconds: number;
  capSeconds?: number;
  random?: () => number;
}

/** `retry` is 1 for the first retry. Returns whole seconds, at least 1 so a retry never spins. */
export function fullJitterBackoff(retry: number, options: BackoffOptions): number {
  const cap = Math.min(options.capSeconds ?? 3600, MAX_BACKOFF_SECONDS);
  const ceiling = Math.min(cap, options.baseSeconds * 2 ** Math.max(0, retry - 1));
  const random = options.random ?? Math.random;
  return Math.max(1, Math.round(random() * ceiling));
}
