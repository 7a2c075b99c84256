/**
 * A time budget from a Lambda invocation's remaining time: long loops ask `outOfTime()` before starting
 * more work and stop with a cursor while `marginMs` (enough to finish the current step and answer) is left.
 */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export const outOfTimeFor = (context: RemainingTime | undefined, marginMs: number) => (): boolean =>
  context !== undefined && context.getRemainingTimeInMillis() < marginMs;

/** Kept back by the HTTP routes (29 s functions): a page of deletes and the response fit in it. */
export const HTTP_MARGIN_MS = 5_000;
/** Kept back by the scheduled sweeps. */
export const SCHEDULED_MARGIN_MS = 10_000;
