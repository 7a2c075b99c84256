/** The faults a probe job can be planned to get (its `fault` param; the injector reads it). */
export const FAULTS = [
  'none',
  'zombie-run',
  'zombie-final',
  'slow-redelivery',
  'throttle',
  'poison',
  'late',
  /** A durable job's first run is paused at step "2"'s record write until the job was re-run to its end. */
  'zombie-step',
] as const;
export type Fault = (typeof FAULTS)[number];
