/**
 * The local stream reader's options, the on-failure record it sends, and its errors
 * (./dynamodb-stream-reader.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { FilterPattern } from '../../../infra/function-settings.ts';
import type { StreamCheckpoints } from './stream-checkpoints.ts';

export interface StreamReaderOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  /** May resolve to nothing, like a Lambda handler: then every record succeeded. */
  handler: (
    event: DynamoDBStreamEvent,
    context: Context,
  ) => Promise<DynamoDBBatchResponse | undefined> | Promise<void>;
  /** Records per invocation (Lambda's default for streams is 100; GetRecords allows up to 1000). */
  batchSize?: number;
  startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  /** Wait before reading a shard again after an empty read (Lambda polls 4 times a second). */
  pollIntervalMs?: number;
  discoveryIntervalMs?: number;
  /** Wait up to this long for a full batch once records arrived (MaximumBatchingWindowInSeconds); 0: none. */
  maxBatchingWindowMs?: number;
  /** Retries of a failed batch before its records are skipped; -1 retries forever (Lambda's default). */
  maxRetryAttempts?: number;
  /** Split a batch whose invocation fails as a whole (BisectBatchOnFunctionError). */
  bisectBatchOnError?: boolean;
  /** Records older than this are dropped unprocessed (MaximumRecordAgeInSeconds); -1: no limit. */
  maxRecordAgeSeconds?: number;
  /** Lambda event filter patterns (FilterCriteria); records matching none are skipped. */
  filters?: readonly FilterPattern[];
  functionTimeoutMs?: number;
  functionName?: string;
  region?: string;
  /**
   * The on-failure destination: receives the metadata of each batch discarded after its retries or for its
   * age, in Lambda's shape (`DDBStreamBatchInfo`), as Lambda sends it to an SQS on-failure destination.
   */
  onFailure?: (record: StreamFailureRecord) => Promise<void>;
  /**
   * Where the reader keeps its position in each shard (the last sequence number delivered), as an event
   * source mapping keeps its checkpoint: a restarted reader resumes after it instead of at `startingPosition`.
   */
  checkpoints?: StreamCheckpoints;
  /** Handler failures, skipped records and stream errors; reading goes on after each. */
  onError?: (error: unknown) => void;
}

/** What Lambda sends an on-failure destination about a discarded stream batch. */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamReader {
  streamArn: string;
  stop(): Promise<void>;
}

export class StreamRecordsExpiredError extends Error {
  readonly code = 'STREAM_RECORDS_EXPIRED';
  constructor(
    readonly sequenceNumbers: string[],
    readonly maxRecordAgeSeconds: number,
  ) {
    super(`${sequenceNumbers.length} stream record(s) dropped: older than ${maxRecordAgeSeconds} s`);
    this.name = 'StreamRecordsExpiredError';
  }
}

export class StreamRecordsSkippedError extends Error {
  readonly code = 'STREAM_RECORDS_SKIPPED';
  constructor(
    readonly sequenceNumbers: string[],
    readonly attempts: number,
  ) {
    super(`${sequenceNumbers.length} stream record(s) skipped after ${attempts} failed attempts`);
    this.name = 'StreamRecordsSkippedError';
  }
}

export interface FailureContext {
  shardId: string;
  streamArn: string;
  region: string;
  functionName: string;
  condition: 'RetryAttemptsExhausted' | 'EventAgeExceeded';
  invokeCount: number;
}

/** What Lambda sends an on-failure destination about a discarded batch (its DDBStreamBatchInfo). */
export function failureRecord(records: DynamoDBRecord[], context: FailureContext): StreamFailureRecord {
  const arrival = (record: DynamoDBRecord | undefined) =>
    new Date((record?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${context.region}:000000000000:function:${context.functionName}`,
      condition: context.condition,
      approximateInvokeCount: context.invokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records.at(-1)),
      batchSize: records.length,
      streamArn: context.streamArn,
    },
  };
}
