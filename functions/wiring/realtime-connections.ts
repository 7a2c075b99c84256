/** The WebSocket connection store of a deployed function, built once from CONNECTIONS_TABLE. */
import { DynamoConnectionStore } from '../adapters/realtime/connection-store.ts';
import { dynamoClient } from './dynamo-client.ts';
import { connectionsTableName } from './realtime-config.ts';

export const connectionStore = new DynamoConnectionStore({
  client: dynamoClient,
  tableName: connectionsTableName(),
});
