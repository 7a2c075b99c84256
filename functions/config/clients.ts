/**
 * AWS SDK clients shared by a function's modules, created once per container. Endpoints come from the
 * standard AWS_ENDPOINT_URL_* variables (the local stack sets them); queue URLs never pick the endpoint,
 * because emulator queue URLs carry host names that need not resolve.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const dynamoClient = new DynamoDBClient({});
export const sqsClient = new SQSClient({ useQueueUrlAsEndpoint: false });
