/**
 * From the jobs table stream to the delivery queue: each change that ends a job (job.completed, job.failed,
 * job.dead, job.cancelled) becomes one delivery per matching webhook of the job's owner, logged as
 * `pending` and queued. Called by the stream consumer (functions/handlers/stream.ts) with the changes it
 * acknowledges, in stream order.
 *
 * Cost on the hot path: only terminal changes look anything up, and a user's webhooks are read with one
 * query per stream batch (every terminal change of that user in the batch shares it); progress, claims and
 * other changes cost nothing. A user without webhooks costs that one query (0.5 RRU) per batch.
 *
 * Delivery ids are derived from the webhook, the job and the job's `seq`, so a stream record processed
 * twice (a retried batch) logs one delivery; its message may be queued twice, and the receiver sees the
 * same `webhook-id` (Standard Webhooks receivers deduplicate on it).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { toJobView } from '../../core/job.ts';
import { type Delivery, eventBody, jobEventOf, type Webhook } from '../../core/webhooks/model.ts';
import type { StreamChange } from '../aggregate-stats.ts';
import type { DeliveryMessage, DeliveryQueue, WebhookStore } from './ports.ts';

export interface JobEventDeps {
  store: WebhookStore;
  queue: DeliveryQueue;
  clock: Clock;
}

const deliveryId = (webhookId: string, jobId: string, seq: number) =>
  `msg_${createHash('sha256').update(`${webhookId}/${jobId}/${seq}`).digest('base64url').slice(0, 32)}`;

/**
 * Queues the deliveries the changes cause. Resolves with the index of the first change whose deliveries
 * could not be queued (the consumer retries the batch from it), or null when all were.
 */
export async function queueJobEvents(
  deps: JobEventDeps,
  changes: readonly StreamChange[],
): Promise<{ failedAt: number | null; error?: unknown; queued: number }> {
  const webhooksOf = new Map<string, Promise<Webhook[]>>();
  let queued = 0;
  for (const [index, { before, after }] of changes.entries()) {
    const event = jobEventOf(before, after);
    if (!event || !after) continue;
    try {
      let lookup = webhooksOf.get(after.userId);
      if (!lookup) {
        lookup = deps.store.list(after.userId);
        webhooksOf.set(after.userId, lookup);
      }
      const matching = (await lookup).filter((webhook) => webhook.events.includes(event));
      if (matching.length === 0) continue;
      // The job's end time, so a retried stream record keys its delivery the same way (the log's sort key).
      const now = after.completedAt ?? deps.clock.now().toISOString();
      const body = eventBody(event, now, { job: toJobView(after) });
      const messages: DeliveryMessage[] = [];
      for (const webhook of matching) {
        const delivery: Delivery = {
          id: deliveryId(webhook.id, after.id, after.seq),
          webhookId: webhook.id,
          userId: after.userId,
          event,
          jobId: after.id,
          attempt: 0,
          status: 'pending',
          responseStatus: null,
          createdAt: now,
          at: now,
        };
        await deps.store.addDelivery(delivery);
        messages.push({ ...delivery, body });
      }
      await deps.queue.send(messages);
      queued += messages.length;
    } catch (error) {
      webhooksOf.delete(after.userId);
      return { failedAt: index, error, queued };
    }
  }
  return { failedAt: null, queued };
}
