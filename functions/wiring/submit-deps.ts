/** What submitting a job needs: the store, the tier queues, the agent registry, the per-user quotas. */
import { agents } from '../agents/index.ts';
import { systemClock } from '../core/clock.ts';
import type { SubmitDeps } from '../usecases/submit-job.ts';
import { dispatcher } from './dispatcher.ts';
import { logger } from './logger.ts';
import { payloadStore } from './payloads.ts';
import { userQuotas } from './quotas.ts';
import { buildSqsClientAtLoad } from './sqs-client.ts';
import { jobStore } from './store.ts';

// Every submission sends its message (unless delayed or waiting): the client belongs to the cold start.
buildSqsClientAtLoad();

export const submitDeps: SubmitDeps = {
  store: jobStore,
  dispatcher,
  agents,
  clock: systemClock,
  logger,
  quotas: userQuotas(),
  payloads: payloadStore,
};
