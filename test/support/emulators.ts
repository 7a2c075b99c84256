import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { localClientConfig } from '../../functions/local/local-aws.ts';

/** SDK clients pointed at the emulators started by test/support/global-setup.ts. */

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(inject('dynamodbEndpoint')));
}

export function sqsClient(): SQSClient {
  return new SQSClient(localClientConfig(inject('sqsEndpoint')));
}

/**
 * A name prefix no other test file (or earlier run against the same emulators) uses, valid for both
 * SQS queue names ([A-Za-z0-9_-], at most 80 characters) and DynamoDB table names.
 */
export function uniquePrefix(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 24);
  return `${readable}-${randomBytes(4).toString('hex')}`;
}
