/**
 * Whether any user has a webhook: one Scan with Limit 1 of the sparse `byWebhook` index, which holds only
 * webhook registrations (infra/resources.ts), so it reads at most one index entry (0.5 read unit) however
 * large the table. The index is eventually consistent: a registration or removal shows within about a
 * second on AWS (at once on DynamoDB Local).
 */
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { WebhookRegistry } from '../../usecases/webhooks/ports.ts';

export class DynamoWebhookRegistry implements WebhookRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async anyExists(): Promise<boolean> {
    let start: Record<string, never> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          IndexName: 'byWebhook',
          Limit: 1,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      if ((page.Count ?? 0) > 0) return true;
      // Without a filter a page is empty only at the end; a key anyway means "look on".
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return false;
  }
}
