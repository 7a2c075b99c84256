/** The answer of GET /jobs/{id}/params and /result: the JSON itself, or a 303 to a short-lived link. */
import type { PayloadAnswer } from '../usecases/payloads.ts';
import { type HttpResult, json } from './respond.ts';

export function payloadResponse(answer: PayloadAnswer): HttpResult {
  if (answer.kind === 'inline') return json(200, answer.value);
  return {
    statusCode: 303,
    headers: { location: answer.url, 'cache-control': 'no-store' },
    body: '',
  };
}
