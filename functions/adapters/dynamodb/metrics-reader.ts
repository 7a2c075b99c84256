/**
 * Reads metric rollup buckets (written by stats-writer.ts) of one scope and step between two instants: one
 * Query of the scope's partition for that step, at most MAX_METRIC_POINTS items (the use case bounds the
 * range), paged by DynamoDB's 1 MB pages.
 */
import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { MetricStep } from '../../core/metrics.ts';
import type { StatsScope } from '../../core/ports.ts';
import type { MetricBucket, MetricsReader } from '../../usecases/metrics.ts';
import { readRollupField } from './rollup-fields.ts';
import { rollupKey } from './stats-aggregate.ts';
import { ALL_SCOPE, userScope } from './stats-items.ts';

export class DynamoMetricsReader implements MetricsReader {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async buckets(scope: StatsScope, step: MetricStep, from: number, to: number): Promise<MetricBucket[]> {
    const name = 'all' in scope ? ALL_SCOPE : userScope(scope.userId);
    const [first, last] = [rollupKey(name, step, from), rollupKey(name, step, to)];
    const buckets: MetricBucket[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: marshall({ ':pk': first.pk, ':from': first.sk, ':to': last.sk }),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk, expiresAt: _expires, ...stored } = unmarshall(item);
        const counts: Record<string, number> = {};
        for (const [name, value] of Object.entries(stored as Record<string, number>)) {
          const field = readRollupField(name);
          counts[field] = (counts[field] ?? 0) + value;
        }
        buckets.push({ at: Date.parse(String(sk)), counts });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return buckets;
  }
}
