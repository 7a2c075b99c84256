/** The tier-queue dispatcher of a deployed function, built once from its environment. */
import { SqsDispatcher } from '../adapters/sqs/dispatcher.ts';
import { sqsClient } from './clients.ts';
import { queueUrls } from './config.ts';

export const dispatcher = new SqsDispatcher(sqsClient, queueUrls());
