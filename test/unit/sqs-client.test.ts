/**
 * The functions' SQS client (functions/wiring/sqs-client.ts) is built on first use, so the worker and the
 * stream consumer, which send only sometimes, do not pay for it at every cold start; the functions that
 * send on every request build it at load.
 */
import { describe, expect, it, vi } from 'vitest';

const built = vi.hoisted(() => ({ count: 0, options: [] as unknown[] }));
vi.mock('@aws-sdk/client-sqs', () => ({
  SQSClient: class {
    config = { region: 'test' };
    constructor(options: unknown) {
      built.count++;
      built.options.push(options);
    }
  },
}));

describe('sqsClient', () => {
  it('is not constructed by importing it, and once by buildSqsClientAtLoad', async () => {
    const { buildSqsClientAtLoad, sqsClient } = await import('../../functions/wiring/sqs-client.ts');
    expect(built.count).toBe(0);
    buildSqsClientAtLoad();
    expect(built.count).toBe(1);
    expect(built.options).toEqual([{ useQueueUrlAsEndpoint: false }]);
    expect(sqsClient.config).toEqual({ region: 'test' });
    buildSqsClientAtLoad();
    expect(built.count).toBe(1);
  });
});
