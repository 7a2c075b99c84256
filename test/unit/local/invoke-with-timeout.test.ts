/** Local Lambda timeouts: the caller's timeout, the invocation that outlives it, and its fenced AWS calls. */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  FunctionTimeoutError,
  fenceClient,
  InvocationKilledError,
  invokeWithTimeout,
} from '../../../functions/local/invoke-with-timeout.ts';

/** An SQS client that answers every call itself (no network), counting the calls that got through. */
function answeringClient() {
  const client = new SQSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const served = { count: 0 };
  client.middlewareStack.add(
    () => async () => {
      served.count += 1;
      return { output: { QueueUrl: 'http://local/q', $metadata: {} }, response: {} };
    },
    { step: 'build', name: 'answerLocally' },
  );
  fenceClient(client);
  fenceClient(client); // idempotent
  return { client, served };
}

describe('invokeWithTimeout', () => {
  it('resolves with the result and a context counting down from the timeout', async () => {
    const invocation = invokeWithTimeout(
      async (event: number, context) => ({ event, remaining: context.getRemainingTimeInMillis() }),
      7,
      { functionName: 'fn', timeoutMs: 5_000 },
    );
    const result = await invocation.result;
    expect(result.event).toBe(7);
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(5_000);
  });

  it('fails the caller at the timeout and settles only when the handler really stops', async () => {
    let stopped = false;
    const invocation = invokeWithTimeout(
      async () => {
        await sleep(1_000);
        stopped = true;
      },
      {},
      { functionName: 'slow', timeoutMs: 100 },
    );
    await expect(invocation.result).rejects.toBeInstanceOf(FunctionTimeoutError);
    expect(stopped).toBe(false);
    await invocation.settled;
    expect(stopped).toBe(true);
  });

  it('refuses the AWS calls an invocation makes after its timeout, and only those', async () => {
    const { client, served } = answeringClient();
    // Outside any invocation the client works as usual (and its first, slower send is out of the way).
    await client.send(new GetQueueUrlCommand({ QueueName: 'outside' }));
    expect(served.count).toBe(1);
    const outcomes: string[] = [];
    const invocation = invokeWithTimeout(
      async () => {
        await client.send(new GetQueueUrlCommand({ QueueName: 'before' }));
        outcomes.push('before: sent');
        // A heartbeat-like timer started by the handler belongs to the same invocation.
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            client.send(new GetQueueUrlCommand({ QueueName: 'after' })).then(
              () => outcomes.push('after: sent'),
              (error: unknown) => outcomes.push(`after: ${(error as Error).name}`),
            );
            resolve();
          }, 1_000),
        );
      },
      {},
      { functionName: 'late-writer', timeoutMs: 400 },
    );
    await expect(invocation.result).rejects.toBeInstanceOf(FunctionTimeoutError);
    await invocation.settled;
    await sleep(20);
    expect(outcomes).toEqual(['before: sent', `after: ${InvocationKilledError.name}`]);
    expect(served.count).toBe(2);
    // Outside any invocation it still does.
    await client.send(new GetQueueUrlCommand({ QueueName: 'outside' }));
    expect(served.count).toBe(3);
  });
});
