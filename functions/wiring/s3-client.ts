/**
 * The S3 client of the payload store, created once per container on first use (lazy-client.ts: only
 * large payloads need it), only in functions that read or write large payloads. Its endpoint comes from
 * the standard AWS_ENDPOINT_URL_S3 variable (the local stack sets it); an emulator at an IP address needs
 * path-style URLs (`http://127.0.0.1:port/bucket/key`).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { optionalEnv } from './env.ts';
import { lazyClient } from './lazy-client.ts';

const forcePathStyle = optionalEnv('AWS_ENDPOINT_URL_S3') !== undefined;

export const s3Client = lazyClient(() => new S3Client({ forcePathStyle }));
