/**
 * Public on-demand prices, us-east-1, as listed on the AWS pricing pages in November 2026
 * (/work/shared/AWS-FACTS.md). Free tiers are ignored: the figures are for a workload past them.
 */
export const PRICE_DATE = '2026-11 (us-east-1, on-demand, no free tier)';

export const PRICES = {
  /** API Gateway HTTP API, per request (first 300 M a month). */
  httpApiRequest: 1.0 / 1e6,
  /** API Gateway WebSocket API, per message (in or out, 32 KB units). */
  webSocketMessage: 1.0 / 1e6,
  /** API Gateway WebSocket API, per connection minute. */
  webSocketConnectionMinute: 0.25 / 1e6,
  /** Lambda, per request. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64, per GB-second (first 6 billion GB-s a month). */
  lambdaGbSecondArm64: 0.0000133334,
  /** SQS standard queue, per request (each 64 KB chunk of a payload is one request). */
  sqsRequest: 0.4 / 1e6,
  /** DynamoDB on-demand, per write request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit. */
  dynamoReadUnit: 0.125 / 1e6,
  /** DynamoDB Streams read by a Lambda event source mapping: free. */
  dynamoStreamRead: 0,
  /** Step Functions Standard workflows, per state transition. */
  stepFunctionsTransition: 25 / 1e6,
} as const;

export const SECONDS_PER_MONTH = 30 * 86_400;
