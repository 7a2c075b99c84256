/** The tier-queue dispatcher of a deployed function, built once from its environment. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDispatcher } from '../adapters/sqs/dispatcher.ts';
import { queueUrls } from './config.ts';

export const sqsClient = new SQSClient({});
export const dispatcher = new SqsDispatcher(sqsClient, queueUrls());
