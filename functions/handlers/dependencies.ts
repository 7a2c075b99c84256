/**
 * Fed by the jobs table stream: when a job finishes, release or fail the jobs that depend on it.
 * Records are handled in order; a failure reports that record and the rest of the batch for a retry
 * (ReportBatchItemFailures with the sequence number), and the work is idempotent (conditional transitions).
 * A parent with many dependants is settled in bounded chunks; when the time budget runs out the record is
 * reported too, and the retry resumes with the dependants still pending.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { fromItem, isJobItem } from '../adapters/dynamodb/job-item.ts';
import { systemClock } from '../core/clock.ts';
import type { Job } from '../core/job.ts';
import { justFinished, settleDependants } from '../usecases/dependencies.ts';
import { outOfTimeFor, type RemainingTime } from '../usecases/time-budget.ts';
import { dispatcher } from '../wiring/dispatcher.ts';
import { logger } from '../wiring/logger.ts';
import { jobStore } from '../wiring/store.ts';

/** Kept back from the 60 s timeout: a chunk in flight finishes and the batch answers. */
const MARGIN_MS = 15_000;

const jobImage = (image: Record<string, unknown> | undefined): Job | undefined => {
  const item = image as Record<string, AttributeValue> | undefined;
  return item && isJobItem(item) ? fromItem(item) : undefined;
};

async function handleBatch(
  event: DynamoDBStreamEvent,
  context?: RemainingTime,
): Promise<DynamoDBBatchResponse> {
  const deps = {
    store: jobStore,
    dispatcher,
    clock: systemClock,
    outOfTime: outOfTimeFor(context, MARGIN_MS),
  };
  for (const record of event.Records) {
    const before = jobImage(record.dynamodb?.OldImage);
    const after = jobImage(record.dynamodb?.NewImage);
    if (!justFinished(before, after)) continue;
    try {
      const counts = await settleDependants(deps, after);
      if (counts.released + counts.failed > 0)
        logger.info('dependants settled', { jobId: after.id, ...counts });
    } catch (error) {
      logger.error('settling dependants failed; the batch is retried from here', { jobId: after.id, error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

// No middlewares: partial batch responses are the whole error contract of a stream consumer.
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(handleBatch);
