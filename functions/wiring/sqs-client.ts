/**
 * The SQS client shared by a function's modules, created once per container on its first request
 * (lazy-client.ts: the worker and the stream consumer need it only for retries, continuations and
 * released dependants). Its endpoint comes from the standard AWS_ENDPOINT_URL_SQS variable; queue URLs never
 * pick the endpoint, because emulator queue URLs carry host names that need not resolve.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from './lazy-client.ts';

export const sqsClient = lazyClient(() => new SQSClient({ useQueueUrlAsEndpoint: false }));
