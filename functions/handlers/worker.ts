/**
 * The worker: consumes a tier queue. Records are processed one at a time; each is a job message that is
 * claimed, run and recorded by `runJob`. Failures are reported per record (ReportBatchItemFailures), so one
 * bad record never makes SQS redeliver the others, and nothing is swallowed: a record whose outcome could
 * not be recorded is returned to the queue.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJobMessage } from '../adapters/sqs/dispatcher.ts';
import { messageControl, queueUrlForArn } from '../adapters/sqs/message-control.ts';
import { sqsClient as sqs } from '../config/clients.ts';
import { logger } from '../config/logger.ts';
import { runJobDeps, tierQueueUrls } from '../config/worker-deps.ts';
import { runJob } from '../usecases/run-job.ts';

/** Time kept back from the Lambda deadline to record the outcome after the agent is stopped. */
const RECORDING_MARGIN_MS = 15_000;

async function processRecord(record: SQSRecord, context: Context): Promise<boolean> {
  const queueUrl = queueUrlForArn(record.eventSourceARN, tierQueueUrls);
  const message = parseJobMessage(record.body);
  if (!message || !queueUrl) {
    // Not a job message (or not from a known queue): it can never succeed; fail it so SQS's redrive
    // preserves it in the dead-letter queue for inspection.
    logger.error('unprocessable message', { messageId: record.messageId, source: record.eventSourceARN });
    return false;
  }
  const control = messageControl(sqs, queueUrl, record.receiptHandle);
  const outcome = await runJob(
    runJobDeps,
    message,
    control,
    context.getRemainingTimeInMillis() - RECORDING_MARGIN_MS,
  );
  if (outcome.kind === 'retry') {
    // The same message comes back after the backoff; its receive count bounds the attempts.
    await control.setVisibility(outcome.delaySeconds);
    return false;
  }
  if (outcome.kind === 'dropped')
    logger.info('message dropped', { jobId: message.jobId, reason: outcome.reason });
  return true;
}

async function handleBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let ok = false;
    try {
      ok = await processRecord(record, context);
    } catch (error) {
      logger.error('record failed; SQS will redeliver it', { messageId: record.messageId, error });
    }
    if (!ok) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
}

// No middlewares: partial batch responses are the whole error contract of an SQS consumer.
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(handleBatch);
