/**
 * The SQS client shared by a function's modules, created once per container. Its endpoint comes from the
 * standard AWS_ENDPOINT_URL_SQS variable; queue URLs never pick the endpoint, because emulator queue URLs
 * carry host names that need not resolve.
 *
 * Constructed on first use (lazy-client.ts): the worker and the stream consumer send only sometimes (a
 * retry's visibility change, a continuation, a released dependant, a webhook delivery), and constructing
 * the client costs a few ms of every cold start (~8 ms in the worker). A function that sends on every
 * request builds it at load all the same (`buildSqsClientAtLoad`): deferring it there would only move the
 * time from the import to the first request.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from './lazy-client.ts';

export const sqsClient = lazyClient(() => new SQSClient({ useQueueUrlAsEndpoint: false }));

/** Constructs the client now: for the functions that send on every request (POST /jobs, GET /queue/stats). */
export function buildSqsClientAtLoad(): void {
  void sqsClient.config;
}
