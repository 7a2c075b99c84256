import { describe, expect, it, vi } from 'vitest';
import { withAsyncRetries } from '../../../functions/local/async-retries.ts';

describe('local asynchronous retries (Lambda async invoke config)', () => {
  it('runs a failing invocation 1 + retryAttempts times, then throws its last error', async () => {
    const run = vi.fn(async () => {
      throw new Error(`failure ${run.mock.calls.length}`);
    });
    const onRetry = vi.fn();
    await expect(withAsyncRetries(run, { retryAttempts: 2, delaysMs: [1, 2], onRetry })()).rejects.toThrow(
      'failure 3',
    );
    expect(run).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls.map(([, attempt]) => attempt)).toEqual([1, 2]);
  });

  it('does not retry with retryAttempts 0, nor after a success', async () => {
    const failing = vi.fn(async () => Promise.reject(new Error('once')));
    await expect(withAsyncRetries(failing, { retryAttempts: 0, delaysMs: [1] })()).rejects.toThrow('once');
    expect(failing).toHaveBeenCalledTimes(1);
    const flaky = vi.fn().mockRejectedValueOnce(new Error('first')).mockResolvedValueOnce('done');
    expect(await withAsyncRetries(flaky, { retryAttempts: 2, delaysMs: [1] })()).toBe('done');
    expect(flaky).toHaveBeenCalledTimes(2);
  });

  it('abandons a pending retry when stopped', async () => {
    const stopping = new AbortController();
    const run = vi.fn(async () => Promise.reject(new Error('down')));
    const pending = withAsyncRetries(run, {
      retryAttempts: 2,
      delaysMs: [60_000],
      signal: stopping.signal,
    })();
    await vi.waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    stopping.abort();
    expect(await pending).toBeUndefined();
    expect(run).toHaveBeenCalledTimes(1);
  });
});
