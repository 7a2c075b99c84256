/** What `GET /queue/metrics` needs: the rollup reader and the clock. */
import { DynamoMetricsReader } from '../adapters/dynamodb/metrics-reader.ts';
import { systemClock } from '../core/clock.ts';
import { jobsTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';

export const metricsDeps = {
  metrics: new DynamoMetricsReader({ client: dynamoClient, tableName: jobsTableName() }),
  clock: systemClock,
};
