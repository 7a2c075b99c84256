/**
 * Where a durable step's result is kept. Small ones stay in the job item (up to INLINE_STEP_RESULT_BYTES
 * each, MAX_STEP_RESULTS_BYTES together); larger ones go to the payload store (S3), up to
 * MAX_STEP_RESULT_BYTES each, and the step record holds a `StepResultRef`. Without a payload store every
 * result stays in the item, within the cap. Pure rules; no I/O.
 */
import { INLINE_STEP_RESULT_BYTES, MAX_STEP_RESULT_BYTES, MAX_STEP_RESULTS_BYTES } from './limits.ts';

/**
 * A step result in the payload store: its object's name under the job's step prefix (core/payloads.ts
 * `stepResultKey`: the epoch and attempt of the run that wrote it and a nonce, so runs never collide) and
 * its size (bytes of its JSON).
 */
export interface StepResultRef {
  object: string;
  bytes: number;
}

export const stepResultObject = (epoch: number, attempt: number, nonce: string): string =>
  `${epoch}-${attempt}-${nonce}`;

export interface StepResultRoom {
  /** Bytes of the results the job's other steps keep in the item. */
  inlineBytes: number;
  /** Whether a payload store can take results out of the item. */
  offloading: boolean;
}

/** The largest result (bytes of JSON) a step may store, and the limit to name when it is larger. */
export function stepResultLimit(room: StepResultRoom): { maxBytes: number; limit: string } {
  if (room.offloading)
    return {
      maxBytes: MAX_STEP_RESULT_BYTES,
      limit: `a step result: at most ${MAX_STEP_RESULT_BYTES} bytes`,
    };
  return {
    maxBytes: Math.max(0, MAX_STEP_RESULTS_BYTES - room.inlineBytes),
    limit: `all step results together: at most ${MAX_STEP_RESULTS_BYTES} bytes without a payload store`,
  };
}

/**
 * Where a result within `stepResultLimit` goes: the item when it is small and the item's step results
 * stay within their cap, otherwise the payload store (when there is none, the limit already kept it small).
 */
export function placeStepResult(bytes: number, room: StepResultRoom): 'inline' | 'offloaded' {
  if (!room.offloading) return 'inline';
  const small = bytes <= INLINE_STEP_RESULT_BYTES && room.inlineBytes + bytes <= MAX_STEP_RESULTS_BYTES;
  return small ? 'inline' : 'offloaded';
}
