/**
 * Reads a record of the jobs table's stream (the Lambda event shape) as a job change. Records of other
 * items and deletions (TTL expiry, cleanup) are not job changes a client waits for.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Job } from '../../core/job.ts';
import { fromItem, jobKey } from '../dynamodb/job-item.ts';

export type JobStreamRecord =
  | { kind: 'change'; eventId: string; sequenceNumber: string; job: Job; previous: Job | null }
  | { kind: 'skip'; reason: string };

// Derived from the item layout, so a change there cannot silently stop notifications.
const { pk: JOB_PK_PREFIX, sk: JOB_SK } = jobKey('');

/** Lambda's stream images carry the same attribute values as the SDK, binary as base64 (jobs have none). */
const asItem = (image: NonNullable<DynamoDBRecord['dynamodb']>['NewImage']) =>
  image as unknown as Record<string, AttributeValue>;

export function readJobRecord(record: DynamoDBRecord): JobStreamRecord {
  if (record.eventName === 'REMOVE') return { kind: 'skip', reason: 'removed' };
  const stream = record.dynamodb;
  const pk = stream?.Keys?.pk?.S;
  if (!pk?.startsWith(JOB_PK_PREFIX) || stream?.Keys?.sk?.S !== JOB_SK)
    return { kind: 'skip', reason: 'not a job' };
  if (!stream.NewImage) return { kind: 'skip', reason: 'no new image' };
  const sequenceNumber = stream.SequenceNumber ?? '';
  return {
    kind: 'change',
    eventId: record.eventID ?? sequenceNumber,
    sequenceNumber,
    job: fromItem(asItem(stream.NewImage)),
    previous: stream.OldImage ? fromItem(asItem(stream.OldImage)) : null,
  };
}
