/** The job store of a deployed function, built once from its environment. */
import { DynamoJobStore } from '../adapters/dynamodb/job-store.ts';
import { jobsTableName, retentionDays } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';

export const jobStore = new DynamoJobStore({
  client: dynamoClient,
  tableName: jobsTableName(),
  retentionDays: retentionDays(),
});
