/** Short-lived download links (presigned GETs) to payload objects; kept apart so only the read routes load the presigner. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PayloadLinks } from '../../core/payloads.ts';

export class S3PayloadLinks implements PayloadLinks {
  constructor(private readonly options: { client: S3Client; bucket: string }) {}

  url(key: string, expiresInSeconds: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: key });
    return getSignedUrl(this.options.client, command, { expiresIn: expiresInSeconds });
  }
}
