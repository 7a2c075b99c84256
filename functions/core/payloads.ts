/**
 * Params and results too large for the job item (core/limits.ts) are kept as objects in a payload store
 * (S3 deployed, the emulator locally); the item then holds a `PayloadRef` instead of the value. The object
 * is always written before the item refers to it, and every object's key starts from the job's id, so
 * deleting the job deletes them all. Pure data and rules; no AWS SDK here.
 */
import { INLINE_PARAMS_BYTES, INLINE_PAYLOAD_BYTES, INLINE_RESULT_BYTES } from './limits.ts';

/** Where a value kept out of the item is, and how large it is (bytes of its JSON). */
export interface PayloadRef {
  key: string;
  bytes: number;
}

export interface PayloadStore {
  /** Writes JSON text under `key` (overwrites). */
  put(key: string, json: string): Promise<void>;
  /** Reads the JSON text under `key`; throws PayloadMissingError when there is no object under it. */
  get(key: string): Promise<string>;
  /** Deletes one object (absent: nothing happens). */
  delete(key: string): Promise<void>;
  /** Deletes every object of a job (its params, the results of all its runs and its step results). */
  deleteJob(jobId: string): Promise<void>;
}

/** No object under a key: never written, deleted, or expired by the bucket's lifecycle rules. */
export class PayloadMissingError extends Error {
  override readonly name = 'PayloadMissingError';
  constructor(readonly key: string) {
    super(`No payload object under ${key}`);
  }
}

/** A short-lived URL that returns an object (a presigned GET), for callers that download it themselves. */
export interface PayloadLinks {
  url(key: string, expiresInSeconds: number): Promise<string>;
}

/** How long a download link stays valid. */
export const PAYLOAD_LINK_SECONDS = 300;

/**
 * Params and results live under two prefixes, so the bucket's lifecycle rules can expire each after the
 * longest time a job may need it: params from submission (a job may wait up to a year for its start),
 * results from the end of the run that wrote them.
 */
export const PARAMS_PREFIX = 'params/';
export const RESULTS_PREFIX = 'results/';
export const paramsKey = (jobId: string) => `${PARAMS_PREFIX}${jobId}.json`;
export const resultPrefix = (jobId: string) => `${RESULTS_PREFIX}${jobId}/`;
/**
 * Each run writes its result under its own key (attempt and a nonce): a worker of an older run, paused and
 * fenced out, can never overwrite the object the winning run's item refers to.
 */
export const resultKey = (jobId: string, attempt: number, nonce: string) =>
  `${resultPrefix(jobId)}${attempt}-${nonce}.json`;
/**
 * A step result kept out of the item (core/step-results.ts), under the job's results prefix: the results
 * lifecycle rule and the job's deletion cover it. `object` names the run that wrote it and a nonce.
 */
export const stepResultKey = (jobId: string, object: string) => `${resultPrefix(jobId)}steps/${object}.json`;

/** Params of this size (bytes of JSON) stay in the item. */
export const paramsFitInline = (bytes: number): boolean => bytes <= INLINE_PARAMS_BYTES;

/** A result stays in the item when it is at most 256 KiB and fits with the params kept there. */
export const resultFitsInline = (bytes: number, inlineParamsBytes: number): boolean =>
  bytes <= INLINE_RESULT_BYTES && inlineParamsBytes + bytes <= INLINE_PAYLOAD_BYTES;
