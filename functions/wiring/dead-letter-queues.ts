/**
 * The tier dead-letter queues of a deployed maintenance function (the every-minute run and
 * `POST /admin/recover`), built once from DLQ_URL_* (a missing one fails at load).
 */
import { SqsDeadLetterQueues } from '../adapters/sqs/dead-letter-queues.ts';
import { deadLetterQueueUrls } from './config.ts';
import { buildSqsClientAtLoad, sqsClient } from './sqs-client.ts';

export const deadLetterQueues = new SqsDeadLetterQueues(sqsClient, deadLetterQueueUrls());
// Every run polls the dead-letter queues: the client belongs to the cold start.
buildSqsClientAtLoad();
