/** Live depths of the tier queues and their dead-letter queues (GetQueueAttributes: 8 requests). */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TIERS, type Tier } from '../../core/tiers.ts';
import type { QueueInspector, TierDepth } from '../../usecases/queue-stats.ts';
import type { QueueUrls } from './dispatcher.ts';

export class SqsQueueInspector implements QueueInspector {
  readonly #client: SQSClient;
  readonly #queues: QueueUrls;
  readonly #deadLetterQueues: QueueUrls;

  constructor(client: SQSClient, queues: QueueUrls, deadLetterQueues: QueueUrls) {
    this.#client = client;
    this.#queues = queues;
    this.#deadLetterQueues = deadLetterQueues;
  }

  async depths(): Promise<Record<Tier, TierDepth>> {
    const entries = await Promise.all(
      TIERS.map(async (tier) => {
        const [queue, dlq] = await Promise.all([
          this.#attributes(this.#queues[tier]),
          this.#attributes(this.#deadLetterQueues[tier]),
        ]);
        const depth: TierDepth = {
          queued: queue.ApproximateNumberOfMessages,
          inFlight: queue.ApproximateNumberOfMessagesNotVisible,
          delayed: queue.ApproximateNumberOfMessagesDelayed,
          deadLettered: dlq.ApproximateNumberOfMessages + dlq.ApproximateNumberOfMessagesNotVisible,
        };
        return [tier, depth] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<Tier, TierDepth>;
  }

  async #attributes(url: string) {
    const names = [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ] as const;
    const { Attributes = {} } = await this.#client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }),
    );
    return Object.fromEntries(names.map((name) => [name, Number(Attributes[name] ?? 0)])) as Record<
      (typeof names)[number],
      number
    >;
  }
}
