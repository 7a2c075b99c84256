/** An in-memory payload store for unit tests, with a switch that makes writes fail. */
import {
  type PayloadLinks,
  PayloadMissingError,
  type PayloadStore,
  paramsKey,
  resultPrefix,
} from '../../functions/core/payloads.ts';

export class MemoryPayloadStore implements PayloadStore, PayloadLinks {
  readonly objects = new Map<string, string>();
  failPuts = false;
  failGets = false;

  async put(key: string, json: string): Promise<void> {
    if (this.failPuts) throw new Error('S3 is down');
    this.objects.set(key, json);
  }
  async get(key: string): Promise<string> {
    if (this.failGets) throw new Error('S3 is down');
    const json = this.objects.get(key);
    if (json === undefined) throw new PayloadMissingError(key);
    return json;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async deleteJob(jobId: string): Promise<void> {
    this.objects.delete(paramsKey(jobId));
    for (const key of this.objects.keys()) if (key.startsWith(resultPrefix(jobId))) this.objects.delete(key);
  }
  async url(key: string, expiresInSeconds: number): Promise<string> {
    return `https://payloads.example/${key}?expires=${expiresInSeconds}`;
  }
  keysOf(jobId: string): string[] {
    return [...this.objects.keys()].filter((key) => key.includes(jobId)).sort();
  }
}
