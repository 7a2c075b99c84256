/**
 * The SQS client shared by a function's modules, created once per container. Its endpoint comes from the
 * standard AWS_ENDPOINT_URL_SQS variable; queue URLs never pick the endpoint, because emulator queue URLs
 * carry host names that need not resolve.
 */
import { SQSClient } from '@aws-sdk/client-sqs';

export const sqsClient = new SQSClient({ useQueueUrlAsEndpoint: false });
