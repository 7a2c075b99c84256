/**
 * The payload store on S3: one object per large params or result, JSON, encrypted by the bucket's default
 * (SSE-S3). Objects over 8 MiB go up in 8 MiB parts (multipart upload): the local emulator takes at most
 * 11 MiB per request, and S3 itself accepts parts of 5 MiB or more.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { PayloadMissingError, type PayloadStore, paramsKey, resultPrefix } from '../../core/payloads.ts';

export const PART_BYTES = 8 * 1024 * 1024;
const CONTENT_TYPE = 'application/json';

export class S3PayloadStore implements PayloadStore {
  constructor(private readonly options: { client: S3Client; bucket: string }) {}

  async put(key: string, json: string): Promise<void> {
    const body = Buffer.from(json, 'utf8');
    const { client, bucket } = this.options;
    if (body.length <= PART_BYTES) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: CONTENT_TYPE }),
      );
      return;
    }
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: CONTENT_TYPE }),
    );
    try {
      const parts = [];
      for (let start = 0, number = 1; start < body.length; start += PART_BYTES, number++) {
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: number,
            Body: body.subarray(start, start + PART_BYTES),
          }),
        );
        parts.push({ ETag, PartNumber: number });
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<string> {
    const { Body } = await this.options.client
      .send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }))
      .catch((error: unknown) => {
        throw (error as Error).name === 'NoSuchKey' ? new PayloadMissingError(key) : error;
      });
    if (!Body) throw new Error(`payload ${key} has no body`);
    return Body.transformToString('utf8');
  }

  async delete(key: string): Promise<void> {
    await this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async deleteJob(jobId: string): Promise<void> {
    const { client, bucket } = this.options;
    let first = true;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: resultPrefix(jobId), ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      // Deleting a key that does not exist succeeds, so the params key goes with the first page.
      if (first) keys.push(paramsKey(jobId));
      first = false;
      if (keys.length > 0)
        await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
