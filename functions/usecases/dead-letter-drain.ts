/**
 * Reading the tier dead-letter queues from the every-minute maintenance run instead of an event source
 * mapping each (whose idle pollers cost more than the rest of an idle deployment together: README
 * "Performance and cost"). Each tier's DLQ is read without waiting, up to 10 messages per receive, for as
 * long as messages keep coming and the run has time; every job message goes through `buryDeadLetter`, and
 * only the messages it handled are deleted. A message whose job could not be written stays in the queue:
 * it is visible again after the DLQ's visibility timeout and a later run tries again, so nothing is lost
 * when a run fails or stops halfway. A message that is not a job message is logged and deleted, as before.
 */
import type { Logger } from '../agents/registry.ts';
import type { Clock } from '../core/clock.ts';
import type { JobStore } from '../core/ports.ts';
import { TIERS, type Tier } from '../core/tiers.ts';
import { buryDeadLetter } from './dead-letter.ts';
import type { JobMessage } from './run-job.ts';

/** One message received from a tier's dead-letter queue. */
export interface DeadLetterMessage {
  id: string;
  /** The job message it carries; undefined when the body is not one. */
  job: JobMessage | undefined;
  body: string;
  /** Receives of the message, those on the tier queue included (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  /** What deleting it takes (SQS's receipt handle). */
  receipt: string;
}

/** The tier dead-letter queues, read by the maintenance run (functions/adapters/sqs/dead-letter-queues.ts). */
export interface DeadLetterQueues {
  /** Up to 10 messages of the tier's DLQ, without waiting (none: nothing visible now). */
  receive(tier: Tier): Promise<DeadLetterMessage[]>;
  /**
   * Deletes messages received from the tier's DLQ; returns the ids of those SQS did not delete (they come
   * back after the visibility timeout and are handled again: burying is idempotent).
   */
  delete(tier: Tier, messages: DeadLetterMessage[]): Promise<string[]>;
}

export interface DeadLetterDrainDeps {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  deadLetters: DeadLetterQueues;
  /** True once the run nears its timeout: no further receive starts. */
  outOfTime?: (() => boolean) | undefined;
}

/** Messages handled (buried, ignored as stale, or dropped as not a job message) and deleted, all tiers. */
export async function drainDeadLetters(deps: DeadLetterDrainDeps): Promise<number> {
  let handled = 0;
  for (const tier of TIERS) {
    while (!deps.outOfTime?.()) {
      const messages = await deps.deadLetters.receive(tier);
      if (messages.length === 0) break;
      const done = (await Promise.all(messages.map((message) => handle(deps, message)))).filter(
        (message): message is DeadLetterMessage => message !== undefined,
      );
      if (done.length === 0) continue;
      const undeleted = await deps.deadLetters.delete(tier, done);
      if (undeleted.length > 0)
        deps.logger.warn('dead-lettered messages handled but not deleted; they will be read again', {
          tier,
          messageIds: undeleted,
        });
      handled += done.length;
    }
  }
  return handled;
}

/** The message if it may be deleted; undefined when its job could not be written (it is read again later). */
async function handle(deps: DeadLetterDrainDeps, message: DeadLetterMessage) {
  const { job } = message;
  if (!job) {
    deps.logger.error('dead-lettered message is not a job message; dropped', {
      messageId: message.id,
      body: message.body,
    });
    return message;
  }
  try {
    const outcome = await buryDeadLetter(deps, job, message.receiveCount);
    deps.logger.warn('dead-lettered job', { jobId: job.jobId, outcome });
    return message;
  } catch (error) {
    deps.logger.error('could not record a dead-lettered job; will retry', { jobId: job.jobId, error });
    return undefined;
  }
}
