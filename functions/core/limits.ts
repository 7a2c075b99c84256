/**
 * What one job may hold. Its DynamoDB item is at most 400 KB (409,600 bytes, names and values together), so
 * params and results kept in the item are bounded; larger ones are kept in S3 (core/payloads.ts) and the
 * item holds only their key and size. Nothing a run produces can make the final write fail.
 *
 * Worst case of one job item, every field at its limit:
 *   params + result kept in the item (JSON strings): params at most
 *     INLINE_PARAMS_BYTES, both together at most INLINE_PAYLOAD_BYTES      360,448
 *   paramsRef, resultRef: an S3 key (~110 bytes) and a size each            ≤    300
 *   userId: the JWT `sub`, bounded by the 10,240-byte header limit of
 *     API Gateway (the whole Authorization header, base64 inflates)       ≤ 10,240
 *   user-derived keys (userKey, userDeadlineKey; removed: userStatusKey, userTypeKey): the user part
 *     is at most 128 bytes or a 43-byte digest (job-item.ts), + type      ≤ 3 × 220 =   660
 *   error: code ≤ 64 + message ≤ MAX_ERROR_MESSAGE_BYTES                  ≤  2,112
 *   progress: stage ≤ MAX_STAGE_BYTES + message ≤ MAX_PROGRESS_MESSAGE_BYTES ≤ 1,280
 *   dependsOn: ≤ 20 ids of existing jobs (36-character UUIDs; at most 64)  ≤  1,280
 *   idempotencyKey: ≤ 128 characters × 4 bytes (UTF-8)                    ≤    512
 *   type, command (≤ 64 each), id, pk, sk, createdKey, statusKey,
 *     statusTimeKey, deadlineKey, deadlineTimeKey, 8 timestamps, ~12 numbers ≤ 1,500
 *   attribute names (~47 names × ≤ 20 bytes)                               ≤    940
 *   stepsJson (core/steps.ts): ≤ 64 steps × ≤ 200 bytes without results;
 *     step results kept inline are in the payload budget above (the result
 *     is null while they exist; together at most MAX_STEP_RESULTS_BYTES, so
 *     with inline params at most INLINE_PAYLOAD_BYTES)                     ≤ 12,800
 *   a reference per step whose result is in S3 (core/step-results.ts):
 *     64 × ≤ 70 bytes (`"resultRef":{"object":"<epoch>-<attempt>-<nonce>",
 *     "bytes":n}`), kept after the job ends                                ≤  4,480
 *   continuations, handoffAt                                               ≤     60
 *   total                                                                  ≤ 396,612 bytes
 * That leaves 12,988 bytes (3.2 %) for fields added later; whoever adds one adds its line here.
 */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * A request body: 5 MiB. API Gateway's HTTP API takes up to 10 MB and a synchronous Lambda invocation up to
 * 6 MB (the whole event, of which the body is most), so 5 MiB leaves room for the event's other fields.
 */
export const MAX_REQUEST_BODY_BYTES = 5 * 1024 * 1024;
/** Params, as stored (compact JSON, UTF-8): bounded by the request body. */
export const MAX_PARAMS_BYTES = MAX_REQUEST_BODY_BYTES;
/** A result, as stored (compact JSON, UTF-8): 50 MiB; a larger one fails the job with `result_too_large`. */
export const MAX_RESULT_BYTES = 50 * 1024 * 1024;
/** Params up to this size stay in the job item (256 KiB); larger ones go to S3. */
export const INLINE_PARAMS_BYTES = 256 * 1024;
/** A result up to this size stays in the item (256 KiB), if it also fits INLINE_PAYLOAD_BYTES with the params. */
export const INLINE_RESULT_BYTES = 256 * 1024;
/** Params and result kept in the item together: at most 352 KiB (the item's budget above). */
export const INLINE_PAYLOAD_BYTES = 352 * 1024;
/**
 * The step results a job keeps in its item together (while the job runs): 96 KiB, what the payload budget
 * leaves beside params at their inline limit. Others go to the payload store (core/step-results.ts).
 */
export const MAX_STEP_RESULTS_BYTES = INLINE_PAYLOAD_BYTES - INLINE_PARAMS_BYTES;
/** A step result up to this size (16 KiB of JSON) stays in the item while the inline ones fit the cap above. */
export const INLINE_STEP_RESULT_BYTES = 16 * 1024;
/** One step's result, as stored: at most 50 MiB like a job's result (`step_result_too_large` beyond). */
export const MAX_STEP_RESULT_BYTES = MAX_RESULT_BYTES;
/** Params and results nest at most this deep (JSON.stringify overflows the stack near 5,000 levels). */
export const MAX_JSON_DEPTH = 256;
export const MAX_ERROR_MESSAGE_BYTES = 2048;
export const MAX_STAGE_BYTES = 256;
export const MAX_PROGRESS_MESSAGE_BYTES = 1024;

/** Cuts a string to at most `maxBytes` of UTF-8, never in the middle of a character; marks a cut with "…". */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let bytes = Buffer.byteLength(ellipsis);
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + ellipsis;
}

/** How deep a JSON value nests (a scalar: 0), without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return deepest;
}

export type JsonFit =
  | { ok: true; json: string; bytes: number }
  | { ok: false; reason: 'too_deep' | 'too_large' | 'not_serializable'; message: string };

/** Serializes a value to store, if it fits the limits; never overflows the stack. */
export function fitJson(value: unknown, limits: { maxBytes: number; maxDepth: number }): JsonFit {
  const depth = jsonDepth(value, limits.maxDepth);
  if (depth > limits.maxDepth) {
    return { ok: false, reason: 'too_deep', message: `nests deeper than ${limits.maxDepth} levels` };
  }
  let json: string;
  try {
    json = JSON.stringify(value ?? null);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'not_serializable', message: `is not JSON (${truncateBytes(why, 200)})` };
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxBytes) {
    return {
      ok: false,
      reason: 'too_large',
      message: `is ${bytes} bytes as JSON; at most ${limits.maxBytes} bytes are accepted`,
    };
  }
  return { ok: true, json, bytes };
}
