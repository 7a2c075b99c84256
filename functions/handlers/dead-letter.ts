/**
 * Consumes the tier dead-letter queues: each message is a job that SQS gave up on (its worker kept crashing
 * or timing out), and the job is marked `dead` with a clear error. Admins can list and redrive dead jobs.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseJobMessage } from '../adapters/sqs/dispatcher.ts';
import { systemClock } from '../core/clock.ts';
import { buryDeadLetter } from '../usecases/dead-letter.ts';
import { logger } from '../wiring/logger.ts';
import { jobStore } from '../wiring/store.ts';

async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = parseJobMessage(record.body);
    if (!message) {
      logger.error('dead-lettered message is not a job message; dropped', {
        messageId: record.messageId,
        body: record.body,
      });
      continue;
    }
    try {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 0);
      const outcome = await buryDeadLetter({ store: jobStore, clock: systemClock }, message, receiveCount);
      logger.warn('dead-lettered job', { jobId: message.jobId, outcome });
    } catch (error) {
      logger.error('could not record a dead-lettered job; will retry', { jobId: message.jobId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

// No middlewares: partial batch responses are the whole error contract of an SQS consumer.
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(handleBatch);
