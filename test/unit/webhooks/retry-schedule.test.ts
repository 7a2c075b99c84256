import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, nextRetry } from '../../../functions/core/webhooks/retry-schedule.ts';

describe('webhook retry schedule', () => {
  it('retries first within 30 s, then with doubling delays capped at two hours', () => {
    const delays: number[] = [];
    let elapsed = 0;
    for (let attempt = 1; attempt <= 12; attempt++) {
      const decision = nextRetry(DEFAULT_RETRY_SCHEDULE, attempt, elapsed);
      if (!decision.retry) throw new Error('gave up early');
      delays.push(decision.delaySeconds);
      elapsed += decision.delaySeconds;
    }
    expect(delays[0]).toBeLessThanOrEqual(30);
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 80]);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    expect(Math.max(...delays)).toBe(7200);
  });

  it('keeps trying for 24 hours, then gives up', () => {
    let elapsed = 0;
    let attempt = 1;
    for (;;) {
      const decision = nextRetry(DEFAULT_RETRY_SCHEDULE, attempt, elapsed);
      if (!decision.retry) break;
      elapsed += decision.delaySeconds;
      attempt++;
    }
    expect(elapsed).toBe(24 * 3600);
    expect(attempt).toBeGreaterThan(15);
    expect(attempt).toBeLessThan(40);
    expect(nextRetry(DEFAULT_RETRY_SCHEDULE, 3, 24 * 3600 + 1)).toEqual({ retry: false });
  });

  it('shortens the last wait to end at the 24-hour mark', () => {
    expect(nextRetry(DEFAULT_RETRY_SCHEDULE, 20, 24 * 3600 - 100)).toEqual({
      retry: true,
      delaySeconds: 100,
    });
  });
});
