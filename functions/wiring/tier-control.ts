/**
 * The stored tier states, built once from the environment: the stats and the maintenance sweep read them;
 * the pause routes also switch the event sources (tier-pause-deps.ts).
 */
import { DynamoTierControlStore } from '../adapters/dynamodb/tier-control-store.ts';
import { jobsTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';

export const tierControl = new DynamoTierControlStore(dynamoClient, jobsTableName());
