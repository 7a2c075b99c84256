/** The job store of a deployed function, built once from its environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJobStore } from '../adapters/dynamodb/job-store.ts';
import { jobsTableName, retentionDays } from './config.ts';

export const dynamoClient = new DynamoDBClient({});
export const jobStore = new DynamoJobStore({
  client: dynamoClient,
  tableName: jobsTableName(),
  retentionDays: retentionDays(),
});
