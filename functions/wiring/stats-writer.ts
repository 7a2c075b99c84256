/** The statistics writer of the stream consumer, built once from its environment. */
import { DynamoStatsWriter } from '../adapters/dynamodb/stats-writer.ts';
import { systemClock } from '../core/clock.ts';
import { jobsTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';

export const statsWriter = new DynamoStatsWriter({
  client: dynamoClient,
  tableName: jobsTableName(),
  clock: systemClock,
});
