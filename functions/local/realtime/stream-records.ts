/**
 * DynamoDB Streams records as the SDK returns them → the records of a Lambda `DynamoDBStreamEvent`: creation
 * time in epoch seconds, binary values in base64, the stream's ARN as `eventSourceARN`.
 */
import type { _Record as SdkRecord, AttributeValue as SdkValue } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaValue } from 'aws-lambda';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export function toLambdaValue(value: SdkValue): LambdaValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) as Record<string, LambdaValue> };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new TypeError(`unknown attribute value ${JSON.stringify(value)}`);
}

export function toLambdaImage(
  image: Record<string, SdkValue> | undefined,
): Record<string, LambdaValue> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

export function toLambdaRecord(record: SdkRecord, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID ?? '',
    ...(record.eventName && { eventName: record.eventName }),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created && { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }),
      ...(stream.Keys && { Keys: toLambdaImage(stream.Keys) }),
      ...(stream.NewImage && { NewImage: toLambdaImage(stream.NewImage) }),
      ...(stream.OldImage && { OldImage: toLambdaImage(stream.OldImage) }),
      ...(stream.SequenceNumber && { SequenceNumber: stream.SequenceNumber }),
      ...(stream.SizeBytes !== undefined && { SizeBytes: stream.SizeBytes }),
      ...(stream.StreamViewType && { StreamViewType: stream.StreamViewType }),
    },
    eventSourceARN: streamArn,
    // TTL deletions carry the DynamoDB service as their identity.
    ...(record.userIdentity && {
      userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId },
    }),
  };
}
