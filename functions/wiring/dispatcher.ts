/** The tier-queue dispatcher of a deployed function, built once from its environment. */
import { SqsDispatcher } from '../adapters/sqs/dispatcher.ts';
import { queueUrls } from './config.ts';
import { sqsClient } from './sqs-client.ts';

export const dispatcher = new SqsDispatcher(sqsClient, queueUrls());
