import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal } from '../functions/local/emulators/dynamodb-local.ts';
import { localClientConfig } from '../functions/local/local-aws.ts';
const db = await startDynamoDbLocal({ dataDir: process.argv[2] as string });
const cfg = localClientConfig(db.endpoint);
const c = new DynamoDBClient(cfg); const s = new DynamoDBStreamsClient(cfg);
const id = process.argv[3] as string;
const t = await c.send(new DescribeTableCommand({ TableName: 'soak-Jobs' }));
const arn = t.Table!.LatestStreamArn!;
const d = await s.send(new DescribeStreamCommand({ StreamArn: arn }));
for (const sh of d.StreamDescription!.Shards!) {
  let it = (await s.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: sh.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  let empty = 0;
  while (it && empty < 3) {
    const r = await s.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
    if (!r.Records?.length) empty++;
    for (const x of r.Records ?? []) {
      const img = x.dynamodb?.NewImage; const pk = x.dynamodb?.Keys?.pk?.S ?? '';
      if (!pk.includes(id)) continue;
      const v = (k: string) => img?.[k]?.S ?? img?.[k]?.N ?? '';
      console.log(x.dynamodb?.SequenceNumber, x.eventName, pk, x.dynamodb?.Keys?.sk?.S, 'status', v('status'), 'attempt', v('attempt'), 'epoch', v('epoch'), 'seq', v('seq'), 'startedAt', v('startedAt'), 'hb', v('heartbeatAt'), 'q', v('queuedAt'), 'err', (img?.error?.M?.code?.S ?? img?.errorCode?.S ?? ''));
    }
    it = r.NextShardIterator;
  }
}
await db.stop();
