/** The worker: consumes a tier queue and runs each job message (see adapters/sqs/job-batch.ts). */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createJobBatchHandler } from '../adapters/sqs/job-batch.ts';
import { logger } from '../wiring/logger.ts';
import { sqsClient } from '../wiring/sqs-client.ts';
import { runJobDeps, tierQueueUrls } from '../wiring/worker-deps.ts';

const handleBatch = createJobBatchHandler({ runJobDeps, sqs: sqsClient, queueUrls: tierQueueUrls, logger });

// No middlewares: partial batch responses are the whole error contract of an SQS consumer.
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(handleBatch);
