/** Reading jobs straight from the jobs table with the bench's own client (not through the API). */
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { fromItem, jobKey } from '../../functions/adapters/dynamodb/job-item.ts';
import type { Job } from '../../functions/core/job.ts';

export async function readJobs(client: DynamoDBClient, table: string, ids: string[]): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    let keys = ids.slice(start, start + 100).map((id) => marshall(jobKey(id)));
    while (keys.length > 0) {
      const result = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table] ?? []) jobs.push(fromItem(item));
      keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Array<Record<string, AttributeValue>>;
    }
  }
  return jobs;
}

/** Polls the table until every job satisfies `done`; returns them. */
export async function waitForJobs(
  client: DynamoDBClient,
  table: string,
  ids: string[],
  done: (job: Job) => boolean,
  timeoutMs: number,
): Promise<Job[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await readJobs(client, table, ids);
    if (jobs.length === ids.length && jobs.every(done)) return jobs;
    if (Date.now() > deadline) {
      const pending = jobs.filter((job) => !done(job)).map((job) => `${job.id}:${job.status}`);
      throw new Error(`jobs not done after ${timeoutMs} ms: ${pending.slice(0, 5).join(', ')}`);
    }
    await sleep(200);
  }
}
