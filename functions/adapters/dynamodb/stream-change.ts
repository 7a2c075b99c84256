/** A jobs-stream record (the Lambda event shape) as a change of a job: old and new image, or none. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Job } from '../../core/job.ts';
import type { StreamChange } from '../../usecases/aggregate-stats.ts';
import { fromItem, isJobItem } from './job-item.ts';

/** Lambda's images carry the SDK's attribute values (binary as base64; jobs have none). */
const jobImage = (image: Record<string, unknown> | undefined): Job | undefined => {
  const item = image as Record<string, AttributeValue> | undefined;
  return item && isJobItem(item) ? fromItem(item) : undefined;
};

export const toStreamChange = (record: DynamoDBRecord): StreamChange => ({
  eventId: record.eventID || record.dynamodb?.SequenceNumber || '',
  sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
  before: jobImage(record.dynamodb?.OldImage),
  after: jobImage(record.dynamodb?.NewImage),
});
