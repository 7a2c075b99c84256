/** What `GET /queue/stats` needs: the counters, the queue depths, the deployed concurrency, the tier states. */
import { SqsQueueInspector } from '../adapters/sqs/queue-inspector.ts';
import { systemClock } from '../core/clock.ts';
import { deadLetterQueueUrls, queueUrls, tierMaxConcurrency } from './config.ts';
import { sqsClient } from './sqs-client.ts';
import { jobStore } from './store.ts';
import { tierControl } from './tier-control.ts';

export const statsDeps = {
  store: jobStore,
  queues: new SqsQueueInspector(sqsClient, queueUrls(), deadLetterQueueUrls()),
  tiers: tierControl,
  clock: systemClock,
  maxConcurrency: tierMaxConcurrency(),
};
