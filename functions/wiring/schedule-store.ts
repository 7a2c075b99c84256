/** The schedule store of a deployed function, built once from its environment (SCHEDULES_TABLE). */
import { DynamoScheduleStore } from '../adapters/dynamodb/schedule-store.ts';
import { schedulesTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';

export const scheduleStore = new DynamoScheduleStore({
  client: dynamoClient,
  tableName: schedulesTableName(),
});
