/**
 * The client → server messages of the WebSocket contract. API Gateway picks the route from
 * `$request.body.action`; anything it cannot match goes to `$default`, which answers `bad_request`.
 */
import { jobIdSchema } from '../../api/path-schemas.ts';
import * as z from '../../core/zod.ts';

/** Route keys besides `$connect`, `$disconnect` and `$default` (the infra declares one route per action). */
export const WS_ACTIONS = ['subscribe', 'unsubscribe', 'ping'] as const;
export type WsAction = (typeof WS_ACTIONS)[number];

export type ClientMessage =
  | { action: 'subscribe' | 'unsubscribe'; jobId: string }
  | { action: 'subscribe' | 'unsubscribe'; all: true }
  | { action: 'ping' };

export type ParsedMessage = { ok: true; message: ClientMessage } | { ok: false; message: string };

const targetSchema = z.object({ jobId: z.optional(jobIdSchema), all: z.optional(z.literal(true)) });

const isAction = (value: unknown): value is WsAction => WS_ACTIONS.includes(value as WsAction);

/** The route key decides the action; `$default` still serves a known action (a route missing in the API). */
export function parseClientMessage(routeKey: string, body: string | undefined): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, message: 'Messages are JSON objects with an "action"' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, message: 'Messages are JSON objects with an "action"' };
  const action = isAction(routeKey) ? routeKey : (json as { action?: unknown }).action;
  if (!isAction(action)) {
    return {
      ok: false,
      // Cut short: the client's text goes back in a frame that must stay small.
      message: `Unknown action ${String(JSON.stringify(action ?? null)).slice(0, 64)}; expected one of ${WS_ACTIONS.join(', ')}`,
    };
  }
  if (action === 'ping') return { ok: true, message: { action } };
  const target = targetSchema.safeParse(json);
  if (!target.success) {
    const issue = target.error.issues[0];
    return { ok: false, message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
  }
  const { jobId, all } = target.data;
  if ((jobId === undefined) === (all === undefined))
    return { ok: false, message: `${action} takes either "jobId" or "all": true` };
  return { ok: true, message: jobId !== undefined ? { action, jobId } : { action, all: true } };
}
