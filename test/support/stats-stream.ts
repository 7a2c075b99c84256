/**
 * The statistics half of the jobs-stream consumer (functions/handlers/stream.ts) for store-level tests: a
 * local stream reader on the test's table whose handler counts every change with the real statistics
 * writer, so counters follow the jobs as they do deployed (with the stream's lag: poll, do not read once).
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { expect, inject } from 'vitest';
import { DynamoStatsWriter } from '../../functions/adapters/dynamodb/stats-writer.ts';
import { toStreamChange } from '../../functions/adapters/dynamodb/stream-change.ts';
import { systemClock } from '../../functions/core/clock.ts';
import type { StatsCounters, StatsScope } from '../../functions/core/ports.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { startStreamReader } from '../../functions/local/realtime/dynamodb-stream-reader.ts';
import { countChanges } from '../../functions/usecases/aggregate-stats.ts';
import { dynamoClient } from './emulators.ts';

/** Starts counting the table's changes from its first record; resolves with a stop function. */
export async function startStatsCounting(tableName: string): Promise<{ stop(): Promise<void> }> {
  const client = dynamoClient();
  const writer = new DynamoStatsWriter({ client, tableName, clock: systemClock });
  const streams = new DynamoDBStreamsClient(localClientConfig(inject('dynamodbEndpoint')));
  const reader = await startStreamReader({
    dynamodb: client,
    streams,
    tableName,
    startingPosition: 'TRIM_HORIZON',
    pollIntervalMs: 50,
    handler: async (event: DynamoDBStreamEvent) => {
      const counted = await countChanges(writer, event.Records.map(toStreamChange));
      return {
        batchItemFailures: counted.retryFrom === null ? [] : [{ itemIdentifier: counted.retryFrom }],
      };
    },
    onError: (error) => console.error('[stats-stream]', error),
  });
  return {
    stop: async () => {
      await reader.stop();
      streams.destroy();
    },
  };
}

/** Waits (polling, up to 30 s) until the counters of `scope` equal the expected ones. */
export async function expectStatsToReach(
  read: (scope: StatsScope) => Promise<StatsCounters>,
  scope: StatsScope,
  expected: StatsCounters,
): Promise<void> {
  await expect.poll(() => read(scope), { timeout: 30_000, interval: 200 }).toEqual(expected);
}
