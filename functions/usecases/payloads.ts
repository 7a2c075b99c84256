/**
 * Large params and results: which stay in the job item and which go to the payload store, in the order
 * that loses nothing on a fault (the object first, then the item that refers to it), and how a caller reads
 * them back (the value itself, or a short-lived link to the object).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../agents/registry.ts';
import { ParamsTooLargeError, PermanentJobError } from '../core/errors.ts';
import type { Job } from '../core/job.ts';
import {
  fitJson,
  INLINE_PARAMS_BYTES,
  INLINE_PAYLOAD_BYTES,
  MAX_JSON_DEPTH,
  MAX_RESULT_BYTES,
} from '../core/limits.ts';
import {
  PAYLOAD_LINK_SECONDS,
  type PayloadLinks,
  type PayloadRef,
  type PayloadStore,
  paramsFitInline,
  paramsKey,
  resultFitsInline,
  resultKey,
} from '../core/payloads.ts';

/** Params as the job item holds them: inline, or (written first) in the store with a reference. */
export type StoredParams =
  | { params: Record<string, unknown>; paramsRef: null }
  | { params: null; paramsRef: PayloadRef };

/**
 * Params over 256 KiB are written to the store before the job item exists (the caller writes the item
 * next, so the item never refers to a missing object). Without a store they are refused with 413.
 */
export async function storeParams(
  payloads: PayloadStore | undefined,
  jobId: string,
  params: Record<string, unknown>,
  json: string,
): Promise<StoredParams> {
  const bytes = Buffer.byteLength(json);
  if (paramsFitInline(bytes)) return { params, paramsRef: null };
  if (!payloads)
    throw new ParamsTooLargeError(
      `is ${bytes} bytes as JSON; at most ${INLINE_PARAMS_BYTES} bytes are accepted (no payload store)`,
      INLINE_PARAMS_BYTES,
    );
  const key = paramsKey(jobId);
  await payloads.put(key, json);
  return { params: null, paramsRef: { key, bytes } };
}

/**
 * Params written for a job that was not created (a repeated idempotency key, a refusal): removed now, best
 * effort; the bucket's lifecycle expiry removes whatever a crash leaves behind.
 */
export async function discardParams(
  deps: { payloads?: PayloadStore | undefined; logger: Logger },
  stored: StoredParams,
): Promise<void> {
  if (!stored.paramsRef || !deps.payloads) return;
  const { key } = stored.paramsRef;
  await deps.payloads
    .delete(key)
    .catch((error) => deps.logger.warn('could not remove the params of a job not created', { key, error }));
}

/** The job's params, read from the store when the item only refers to them. */
export async function loadParams(payloads: PayloadStore | undefined, job: Job): Promise<unknown> {
  if (!job.paramsRef) return job.params;
  if (!payloads) throw new PermanentJobError('The params are kept in S3, which is not configured');
  return JSON.parse(await payloads.get(job.paramsRef.key));
}

export type StoredResult =
  | { ok: true; result: unknown; resultRef: PayloadRef | null }
  | { ok: false; error: PermanentJobError };

/**
 * A result that fits the item stays there; a larger one (up to 50 MiB) is written to the store under a key
 * of its own run before the final write refers to it. Larger, deeper or not JSON: a permanent failure.
 */
export async function storeResult(
  payloads: PayloadStore | undefined,
  job: Job,
  result: unknown,
): Promise<StoredResult> {
  const limit = payloads ? MAX_RESULT_BYTES : INLINE_PAYLOAD_BYTES - inlineParamsBytes(job);
  const fit = fitJson(result, { maxBytes: limit, maxDepth: MAX_JSON_DEPTH });
  if (!fit.ok) {
    const code = fit.reason === 'not_serializable' ? 'result_not_serializable' : 'result_too_large';
    return { ok: false, error: new PermanentJobError(`The result ${fit.message}`, code) };
  }
  if (!payloads || resultFitsInline(fit.bytes, inlineParamsBytes(job)))
    return { ok: true, result, resultRef: null };
  const key = resultKey(job.id, job.attempt, randomUUID());
  await payloads.put(key, fit.json);
  return { ok: true, result: null, resultRef: { key, bytes: fit.bytes } };
}

const inlineParamsBytes = (job: Job): number =>
  job.paramsRef ? 0 : Buffer.byteLength(JSON.stringify(job.params ?? {}));

/** What GET /jobs/{id}/params and /result answer: the JSON itself, or a link to the object. */
export type PayloadAnswer = { kind: 'inline'; value: unknown } | { kind: 'link'; url: string; bytes: number };

export async function readPayload(
  links: PayloadLinks,
  job: Job,
  which: 'params' | 'result',
): Promise<PayloadAnswer> {
  const ref = which === 'params' ? job.paramsRef : job.resultRef;
  if (!ref) return { kind: 'inline', value: (which === 'params' ? job.params : job.result) ?? null };
  return { kind: 'link', url: await links.url(ref.key, PAYLOAD_LINK_SECONDS), bytes: ref.bytes };
}
