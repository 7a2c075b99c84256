/**
 * The Lambda client shared by a function's modules, created once per container: the control-plane calls
 * that switch SQS event source mappings (tier pause, the webhook delivery queue). Its endpoint comes from
 * the standard AWS_ENDPOINT_URL_LAMBDA variable (locally, the event source emulator).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';

export const lambdaClient = new LambdaClient({});
