/**
 * The worker's SQS batch processing, built from its dependencies so the deployed handler and the fault
 * tests run the same code. Records are processed one at a time; each is a job message that `runJob`
 * claims, runs and records. Failures are reported per record (ReportBatchItemFailures), so one bad record
 * never makes SQS redeliver the others, and nothing is swallowed: a record whose outcome could not be
 * recorded goes back to the queue.
 *
 * The batch loop is Powertools' BatchProcessor (8 KB of the bundle): one record after the other
 * (`processInParallel: false`: each job gets the whole remaining Lambda time, and the time budget of the
 * next is what the previous left), and a batch that failed entirely is reported as such, not thrown
 * (`throwOnFullBatchFailure: false`: the invocation itself succeeded, so it does not count as a Lambda error;
 * SQS redelivers the failed records all the same).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../../agents/registry.ts';
import { type RunJobDeps, runJob } from '../../usecases/run-job.ts';
import { parseJobMessage, type QueueUrls } from './dispatcher.ts';
import { messageControl, queueUrlForArn } from './message-control.ts';

/**
 * How soon a record that failed with an error is delivered again: 10 s, doubling with each receive up to
 * 15 minutes, so a short outage is retried at once and a long one does not burn the receive count.
 */
export const FAILED_RECORD_RETRY_SECONDS = 10;
const FAILED_RECORD_RETRY_CAP_SECONDS = 900;
export const failedRecordDelay = (receiveCount: number): number =>
  Math.min(FAILED_RECORD_RETRY_CAP_SECONDS, FAILED_RECORD_RETRY_SECONDS * 2 ** Math.max(0, receiveCount - 1));

export interface JobBatchOptions {
  runJobDeps: RunJobDeps;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  /**
   * Time kept back from the Lambda deadline to record the outcome after the agent is stopped (at most a
   * tenth of the invocation's time, so a short local budget, WORKER_BUDGET_SECONDS, still runs jobs).
   */
  recordingMarginMs?: number;
}

export function createJobBatchHandler(options: JobBatchOptions) {
  const margin = options.recordingMarginMs ?? 15_000;
  const { logger } = options;

  async function processRecord(record: SQSRecord, context: Context): Promise<boolean> {
    const queueUrl = queueUrlForArn(record.eventSourceARN, options.queueUrls);
    const message = parseJobMessage(record.body);
    if (!message || !queueUrl) {
      // Not a job message (or not from a known queue): it can never succeed; fail it so SQS's redrive
      // preserves it in the dead-letter queue for inspection.
      logger.error('unprocessable message', { messageId: record.messageId, source: record.eventSourceARN });
      return false;
    }
    const control = messageControl(options.sqs, queueUrl, record.receiptHandle);
    let outcome: Awaited<ReturnType<typeof runJob>>;
    const remainingMs = context.getRemainingTimeInMillis();
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1;
    try {
      outcome = await runJob(
        options.runJobDeps,
        // Only a first delivery may claim from the message's snapshot (usecases/first-look.ts).
        { ...message, receiveCount: receives },
        control,
        remainingMs - Math.min(margin, remainingMs / 10),
      );
    } catch (error) {
      await comeBackSoon(control, message.jobId, failedRecordDelay(receives));
      throw error;
    }
    if (outcome.kind === 'retry' || outcome.kind === 'early') {
      // The same message comes back after the backoff; its receive count bounds the attempts.
      await control.setVisibility(outcome.delaySeconds);
      return false;
    }
    // 'continued': the job's next invocation has its own message; this one is done.
    if (outcome.kind === 'dropped')
      logger.info('message dropped', { jobId: message.jobId, reason: outcome.reason });
    return true;
  }

  /**
   * A record whose outcome could not be recorded would otherwise stay hidden for whatever visibility it had
   * last: the queue's (90 minutes) or a heartbeat's. It showed as `inFlight` in the stats long after its job
   * had ended. Make it visible again soon: the next delivery recovers the job, or finds it settled and is
   * deleted; its receive count still bounds the tries (dead-letter queue).
   */
  async function comeBackSoon(
    control: ReturnType<typeof messageControl>,
    jobId: string,
    seconds: number,
  ): Promise<void> {
    await control
      .setVisibility(seconds)
      .catch((error) => logger.warn('could not shorten the visibility of a failed record', { jobId, error }));
  }

  /** Throws for every record that must come back, which is how BatchProcessor counts a failure. */
  async function handleRecord(record: SQSRecord, context: Context): Promise<void> {
    let ok: boolean;
    try {
      ok = await processRecord(record, context);
    } catch (error) {
      logger.error('record failed; SQS will redeliver it', { messageId: record.messageId, error });
      throw error;
    }
    if (!ok) throw new RecordNotDoneError(record.messageId);
  }

  return async function handleBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // A processor per invocation: it keeps the batch's state, and the local runtime runs one handler
    // module for several invocations at once.
    return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  };
}

/** A record whose message must be delivered again (after a retry delay, or to the dead-letter queue). */
class RecordNotDoneError extends Error {
  override readonly name = 'RecordNotDoneError';
  constructor(messageId: string) {
    super(`message ${messageId} goes back to the queue`);
  }
}
