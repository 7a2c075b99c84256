import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { lazyClient } from '../../functions/wiring/lazy-client.ts';

describe('lazyClient', () => {
  it('constructs the client on first use only, once', () => {
    let built = 0;
    const client = lazyClient(() => {
      built++;
      return new SQSClient({ region: 'us-east-1' });
    });
    expect(built).toBe(0);
    expect(client).toBeInstanceOf(SQSClient);
    expect(built).toBe(1);
    void client.config;
    void client.middlewareStack;
    expect(built).toBe(1);
  });

  it('sends through the real client, with middlewares added to the stand-in', async () => {
    const seen: string[] = [];
    let real: SQSClient | undefined;
    const client = lazyClient(() => {
      real = new SQSClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
        requestHandler: {
          handle: async () => {
            seen.push('transport');
            throw new Error('offline');
          },
        },
      });
      return real;
    });
    // Added later, as the local stack's fence and the bench's counter do.
    client.middlewareStack.add(
      (next) => async (args) => {
        seen.push('middleware');
        return next(args);
      },
      { step: 'initialize', name: 'seen' },
    );
    await expect(client.send(new ListQueuesCommand({}))).rejects.toThrow(/offline/);
    expect(seen).toEqual(['middleware', 'transport']);
    expect(real?.middlewareStack.identify().some((entry) => entry.startsWith('seen'))).toBe(true);
    client.destroy();
  });
});
