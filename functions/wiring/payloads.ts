/** The payload store (S3) of params and results too large for the job item; undefined without a bucket. */
import { S3PayloadStore } from '../adapters/s3/payload-store.ts';
import type { PayloadStore } from '../core/payloads.ts';
import { ENV } from './config.ts';
import { optionalEnv } from './env.ts';
import { s3Client } from './s3-client.ts';

export const payloadBucket = optionalEnv(ENV.payloadBucket);

export const payloadStore: PayloadStore | undefined = payloadBucket
  ? new S3PayloadStore({ client: s3Client, bucket: payloadBucket })
  : undefined;
