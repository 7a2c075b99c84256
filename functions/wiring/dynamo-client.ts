/**
 * The DynamoDB client shared by a function's modules, created once per container. Its endpoint comes from
 * the standard AWS_ENDPOINT_URL_DYNAMODB variable (the local stack sets it). Kept apart from the SQS client
 * so functions that never touch SQS do not load it at cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const dynamoClient = new DynamoDBClient({});
