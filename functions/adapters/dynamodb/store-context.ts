/** What every part of the DynamoDB job store shares: the client, the table and the item options. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ItemOptions } from './job-item.ts';

export interface StoreContext {
  client: DynamoDBClient;
  table: string;
  options: ItemOptions;
}
