/** What the worker needs: the store, the agents, the tier queue URLs and its timings. */
import { agents } from '../agents/index.ts';
import { systemClock } from '../core/clock.ts';
import type { RunJobDeps } from '../usecases/run-job.ts';
import { queueUrls, workerTimings } from './config.ts';
import { dispatcher } from './dispatcher.ts';
import { logger } from './logger.ts';
import { payloadStore } from './payloads.ts';
import { jobStore } from './store.ts';

export const tierQueueUrls = queueUrls();
export const runJobDeps: RunJobDeps = {
  store: jobStore,
  agents,
  clock: systemClock,
  logger,
  // Durable jobs continue in a fresh invocation through their tier queue.
  dispatcher,
  ...workerTimings(),
  payloads: payloadStore,
};
