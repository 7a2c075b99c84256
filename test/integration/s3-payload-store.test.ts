/**
 * The S3 payload store against the emulator (fauxqs's S3 side): a 20 MB object goes up in parts and comes
 * back byte for byte, a presigned link returns it without credentials, deleting a job removes its params and
 * every run's result and nothing of another job, and the local emulator keeps objects across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { S3PayloadLinks } from '../../functions/adapters/s3/payload-links.ts';
import { PART_BYTES, S3PayloadStore } from '../../functions/adapters/s3/payload-store.ts';
import { paramsKey, resultKey } from '../../functions/core/payloads.ts';
import { startSqsEmulator } from '../../functions/local/emulators/sqs-emulator.ts';
import { localClientConfig } from '../../functions/local/local-aws.ts';
import { provisionPayloadBucket } from '../../functions/local/provision.ts';
import { uniquePrefix } from '../support/emulators.ts';

const s3For = (endpoint: string) => new S3Client({ ...localClientConfig(endpoint), forcePathStyle: true });
const client = s3For(inject('sqsEndpoint'));
let bucket: string;
let store: S3PayloadStore;

beforeAll(async () => {
  bucket = await provisionPayloadBucket(client, uniquePrefix('PayloadStore'));
  store = new S3PayloadStore({ client, bucket });
});

const keysIn = async (prefix = '') =>
  ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [])
    .map((object) => object.Key)
    .sort();

describe('S3PayloadStore', () => {
  it('writes a 20 MB object in parts and reads it back byte for byte, also through a presigned link', async () => {
    const json = JSON.stringify({ data: `${'x'.repeat(20_000_000)}é🙂` });
    expect(Buffer.byteLength(json)).toBeGreaterThan(2 * PART_BYTES);
    const key = resultKey('big', 1, 'n');
    await store.put(key, json);
    expect((await store.get(key)) === json).toBe(true);
    const url = await new S3PayloadLinks({ client, bucket }).url(key, 60);
    expect(url).toContain('X-Amz-Expires=60');
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await response.text()) === json).toBe(true);
  });

  it("deletes a job's params and the results of all its runs, and nothing else", async () => {
    for (const key of [paramsKey('j1'), resultKey('j1', 1, 'a'), resultKey('j1', 2, 'b'), paramsKey('j10')])
      await store.put(key, '{}');
    await store.deleteJob('j1');
    expect(await keysIn('params/j1')).toEqual([paramsKey('j10')]);
    expect(await keysIn('results/j1/')).toEqual([]);
    await store.deleteJob('never-stored');
  });
});

describe('the local S3 emulator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'payloads-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps buckets and objects on disk across a restart', async () => {
    const first = await startSqsEmulator({ s3DataDir: dir });
    const json = JSON.stringify({ kept: 'y'.repeat(9 * 1024 * 1024) });
    try {
      const s3 = s3For(first.endpoint);
      const name = await provisionPayloadBucket(s3, 'restart');
      await new S3PayloadStore({ client: s3, bucket: name }).put(paramsKey('p'), json);
      await new S3PayloadStore({ client: s3, bucket: name }).put(paramsKey('gone'), '{}');
      await new S3PayloadStore({ client: s3, bucket: name }).deleteJob('gone');
    } finally {
      await first.stop();
    }
    const second = await startSqsEmulator({ s3DataDir: dir });
    try {
      const s3 = s3For(second.endpoint);
      const name = await provisionPayloadBucket(s3, 'restart');
      const again = new S3PayloadStore({ client: s3, bucket: name });
      expect((await again.get(paramsKey('p'))) === json).toBe(true);
      await expect(again.get(paramsKey('gone'))).rejects.toThrow();
    } finally {
      await second.stop();
    }
  });
});
