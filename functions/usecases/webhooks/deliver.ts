/**
 * One delivery attempt: the webhook's URL is checked and resolved again (the SSRF policy applies at every
 * attempt, and the request is pinned to the address checked), the body is signed with this attempt's
 * timestamp and POSTed; a 2xx within the sender's timeout delivers it. Otherwise the retry schedule says
 * when to try again, or that the 24 hours are over and the delivery has `failed`. The delivery log records
 * every attempt.
 */
import type { Clock } from '../../core/clock.ts';
import { nextRetry, type RetrySchedule } from '../../core/webhooks/retry-schedule.ts';
import { signWebhook } from '../../core/webhooks/signing.ts';
import { secretContext } from './manage.ts';
import {
  type DeliveryMessage,
  type SecretSealer,
  TargetRefusedError,
  type TargetResolver,
  type WebhookSender,
  type WebhookStore,
} from './ports.ts';

export interface DeliverDeps {
  store: WebhookStore;
  sealer: SecretSealer;
  resolver: TargetResolver;
  sender: WebhookSender;
  clock: Clock;
  schedule: RetrySchedule;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; delaySeconds: number; status: number | null; reason: string }
  | { kind: 'failed'; status: number | null; reason: string }
  /** The webhook was deleted: nothing to send to. */
  | { kind: 'dropped' };

const isSuccess = (status: number | null): status is number =>
  status !== null && status >= 200 && status < 300;

export async function deliverOnce(
  deps: DeliverDeps,
  message: DeliveryMessage,
  attempt: number,
): Promise<DeliveryOutcome> {
  const webhook = await deps.store.get(message.userId, message.webhookId);
  const at = () => deps.clock.now().toISOString();
  if (!webhook) {
    await deps.store.recordAttempt(message, { attempt, status: 'failed', responseStatus: null, at: at() });
    return { kind: 'dropped' };
  }
  const secret = await deps.sealer.open(webhook.sealedSecret, secretContext(webhook));
  let status: number | null = null;
  let reason: string;
  try {
    const target = await deps.resolver.resolve(webhook.url);
    const headers = signWebhook(secret, message.id, deps.clock.now(), message.body);
    const response = await deps.sender.post(target, { ...headers }, message.body);
    status = response.status;
    reason = response.error ?? `answered ${status}`;
  } catch (error) {
    if (!(error instanceof TargetRefusedError)) throw error;
    reason = error.message;
  }
  if (isSuccess(status)) {
    await deps.store.recordAttempt(message, {
      attempt,
      status: 'delivered',
      responseStatus: status,
      at: at(),
    });
    return { kind: 'delivered', status };
  }
  const elapsedSeconds = (deps.clock.now().getTime() - Date.parse(message.createdAt)) / 1000;
  const decision = nextRetry(deps.schedule, attempt, elapsedSeconds);
  await deps.store.recordAttempt(message, {
    attempt,
    status: decision.retry ? 'pending' : 'failed',
    responseStatus: status,
    at: at(),
  });
  return decision.retry
    ? { kind: 'retry', delaySeconds: decision.delaySeconds, status, reason }
    : { kind: 'failed', status, reason };
}
