/** DynamoDB stream event sources built from their one definition (infra/function-settings.ts). */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StreamEventSourceSettings } from '../function-settings.ts';

/** `onFailure`: the queue for the metadata of dropped batches, required when the settings name one. */
export function dynamoEventSource(
  table: ITable,
  settings: StreamEventSourceSettings,
  onFailure?: IQueue,
): DynamoEventSource {
  if (settings.onFailure && !onFailure)
    throw new Error(`the ${settings.module} stream mapping needs its on-failure queue`);
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition[settings.startingPosition],
    batchSize: settings.batchSize,
    ...(settings.maxBatchingWindowSeconds > 0 && {
      maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
    }),
    reportBatchItemFailures: settings.reportBatchItemFailures,
    bisectBatchOnError: settings.bisectBatchOnError,
    retryAttempts: settings.retryAttempts,
    ...(settings.maxRecordAgeSeconds >= 0 && {
      maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    }),
    ...(onFailure && { onFailure: new SqsDlq(onFailure) }),
    // FilterCriteria.filter stringifies the pattern; FilterRule.isEqual/or produce the same arrays.
    filters: settings.filters.map((pattern) => FilterCriteria.filter(pattern as Record<string, unknown>)),
  });
}
