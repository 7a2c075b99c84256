/** What `GET /queue/stats` needs: the counters, the queue depths, the deployed concurrency, the tier states. */
import { SqsQueueInspector } from '../adapters/sqs/queue-inspector.ts';
import { systemClock } from '../core/clock.ts';
import { deadLetterQueueUrls, queueUrls, tierMaxConcurrency } from './config.ts';
import { buildSqsClientAtLoad, sqsClient } from './sqs-client.ts';
import { jobStore } from './store.ts';
import { tierControl } from './tier-control.ts';

// Every request reads the queues' depths: the client belongs to the cold start.
buildSqsClientAtLoad();

export const statsDeps = {
  store: jobStore,
  queues: new SqsQueueInspector(sqsClient, queueUrls(), deadLetterQueueUrls()),
  tiers: tierControl,
  clock: systemClock,
  maxConcurrency: tierMaxConcurrency(),
};
