import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoJobStore } from '../functions/adapters/dynamodb/job-store.ts';
import { startDynamoDbLocal } from '../functions/local/emulators/dynamodb-local.ts';
import { localClientConfig } from '../functions/local/local-aws.ts';
const db = await startDynamoDbLocal({ dataDir: process.argv[2] as string });
const client = new DynamoDBClient(localClientConfig(db.endpoint));
const store = new DynamoJobStore({ client, tableName: 'soak-Jobs', retentionDays: 30 });
console.log(JSON.stringify(await store.get(process.argv[3] as string), null, 1));
await db.stop();
