/** What `GET /queue/stats` needs: the counters, the queue depths, the deployed concurrency. */
import { SqsQueueInspector } from '../adapters/sqs/queue-inspector.ts';
import { systemClock } from '../core/clock.ts';
import { deadLetterQueueUrls, queueUrls, tierMaxConcurrency } from './config.ts';
import { sqsClient } from './sqs-client.ts';
import { jobStore } from './store.ts';

export const statsDeps = {
  store: jobStore,
  queues: new SqsQueueInspector(sqsClient, queueUrls(), deadLetterQueueUrls()),
  clock: systemClock,
  maxConcurrency: tierMaxConcurrency(),
};
