/**
 * `watch` across a WebSocket the server drops mid-job (API Gateway's DeleteConnection, as the local
 * management API does it): the client reconnects, resubscribes, and still delivers every later update
 * once and in seq order, ending with the terminal job.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type Job, JobsClient } from '@tiered-job-queue/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/local/stack.ts';
import { REALTIME_ENV } from '../../functions/wiring/realtime-config.ts';
import { dynamoClient } from '../support/emulators.ts';
import { eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
const dynamo = dynamoClient();

beforeAll(async () => {
  stack = await startTestStack('client-drop');
});

afterAll(async () => {
  await stack?.stop();
  dynamo.destroy();
});

/** The connections subscribed to a job (the subscription items' sort keys are `CONN#<id>`). */
async function subscribers(jobId: string): Promise<string[]> {
  const { Items = [] } = await dynamo.send(
    new QueryCommand({
      TableName: stack.tables.Connections as string,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': `SUB#JOB#${jobId}` }),
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => String(unmarshall(item).sk).replace(/^CONN#/, ''));
}

it('survives a server-side close mid-job and delivers every later update once, in order', async () => {
  const client = new JobsClient({
    apiUrl: stack.httpUrl,
    wsUrl: stack.wsUrl,
    token: await tokenFor('drop-user'),
  });
  const job = await client.submit({ type: 'demo', command: 'sleep', params: { seconds: 6, steps: 12 } });
  const seen: Job[] = [];
  const errors: unknown[] = [];
  const handle = client.watch(job.id, (update) => seen.push(update), {
    backoff: { baseMs: 100, maxMs: 500 },
    onError: (error) => errors.push(error),
  });

  const running = await eventually(async () => seen.find((update) => update.progress.percent >= 15), 60_000);
  const [connectionId] = await eventually(async () => {
    const ids = await subscribers(job.id);
    return ids.length === 1 ? ids : undefined;
  });
  const endpoint = process.env[REALTIME_ENV.wsManagementEndpoint];
  const deleted = await fetch(`${endpoint}/@connections/${encodeURIComponent(connectionId ?? '')}`, {
    method: 'DELETE',
  });
  expect(deleted.status).toBe(204);
  const droppedAt = seen.length;

  const final = await handle.done;
  expect(final?.status).toBe('completed');
  expect(errors.some((error) => (error as { code?: string }).code === 'socket_closed')).toBe(true);
  // Resubscribed on a new connection, which went on receiving updates.
  const afterDrop = seen.slice(droppedAt);
  expect(afterDrop.length).toBeGreaterThanOrEqual(2);
  const seqs = seen.map((update) => update.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
  expect(seqs[0]).toBeLessThanOrEqual(running.seq);
  expect(seen.at(-1)).toMatchObject({ status: 'completed', result: { slept: 6 } });
  // Nothing after the drop repeats what came before it.
  const before = new Set(seen.slice(0, droppedAt).map((update) => update.seq));
  expect(afterDrop.filter((update) => before.has(update.seq))).toEqual([]);
});
