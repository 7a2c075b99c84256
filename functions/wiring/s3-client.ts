/**
 * The S3 client of the payload store, created once per container, only in functions that read or write
 * large payloads. Its endpoint comes from the standard AWS_ENDPOINT_URL_S3 variable (the local stack sets
 * it); an emulator at an IP address needs path-style URLs (`http://127.0.0.1:port/bucket/key`).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { optionalEnv } from './env.ts';

export const s3Client = new S3Client({ forcePathStyle: optionalEnv('AWS_ENDPOINT_URL_S3') !== undefined });
