/**
 * One generated hostile request, and the checks every answer must pass (shared/API.md "Errors"): an answer
 * (never a hang, reset or empty reply), never a 5xx, and every 4xx body either the contract's
 * `{"error": {"code", "message", "details"?}}` or API Gateway's own `{"message"}`.
 */
import type { RawResponse } from '../raw-http.ts';

/** Who signs the request: the fuzz user, another user, an admin, nobody, or an explicit Authorization value. */
export type Caller = 'user' | 'other' | 'admin' | 'none' | { authorization: string };

export interface FuzzCase {
  /** Short, printable description for failure reports. */
  label: string;
  method: string;
  /** Sent as is; `{accepted}` becomes the id of a job accepted earlier, `{cursor}` a real listing cursor. */
  target: string;
  caller: Caller;
  headers?: Array<[string, string]>;
  /** Built when sent, so huge bodies are not all held in memory at once. */
  body?: () => string | Buffer;
  contentLength?: 'auto' | 'none' | number;
  /** Statuses the contract requires for this case on top of the generic checks (undefined: generic only). */
  expectStatus?: readonly number[];
  /** For a submission: the params it sends (JSON text), checked against the job once it is accepted. */
  paramsText?: () => string;
  /** For a signed token: its `sub` claim (jobs of other users must stay invisible to it). */
  sub?: unknown;
}

/** Problems with one answer; empty when it is fine. */
export function genericProblems(response: RawResponse, method: string): string[] {
  if (response.kind !== 'answer') return [`no answer (${response.kind})`];
  const { status, body } = response;
  if (status >= 500) return [`${status} ${errorCodeOf(body) ?? 'with a non-contract body'}`];
  if (method === 'HEAD' || status < 400) return [];
  if (body === '') return [`${status} with an empty body`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`${status} with a non-JSON body`];
  }
  if (isContractError(parsed) || isGatewayError(parsed)) return [];
  return [`${status} with a body of neither error shape`];
}

export function isContractError(value: unknown): boolean {
  if (!isPlainObject(value) || Object.keys(value).join() !== 'error') return false;
  const error = value.error;
  if (!isPlainObject(error)) return false;
  const extra = Object.keys(error).filter((key) => !['code', 'message', 'details'].includes(key));
  return (
    extra.length === 0 &&
    typeof error.code === 'string' &&
    /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(error.code) &&
    typeof error.message === 'string' &&
    error.message.length > 0
  );
}

export function isGatewayError(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).join() === 'message' && typeof value.message === 'string';
}

export function errorCodeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so two values compare equal whatever order a store returns keys in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** A label or example that fits on a line of a report. */
export function shorten(text: string, max = 160): string {
  const flat = JSON.stringify(text).slice(1, -1);
  return flat.length <= max ? flat : `${flat.slice(0, max - 30)}…(${text.length} chars)…${flat.slice(-20)}`;
}
