/** Download links to payload objects (GET /jobs/{id}/params and /result); the only users of the presigner. */
import { S3PayloadLinks } from '../adapters/s3/payload-links.ts';
import type { PayloadLinks } from '../core/payloads.ts';
import { ENV } from './config.ts';
import { requireEnv } from './env.ts';
import { s3Client } from './s3-client.ts';

export const payloadLinks: PayloadLinks = new S3PayloadLinks({
  client: s3Client,
  bucket: requireEnv(ENV.payloadBucket),
});
