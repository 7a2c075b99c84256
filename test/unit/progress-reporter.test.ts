import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobProgress } from '../../functions/core/job.ts';
import { ProgressReporter } from '../../functions/usecases/progress-reporter.ts';

describe('ProgressReporter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  const setup = () => {
    const writes: JobProgress[] = [];
    const reporter = new ProgressReporter(
      async (progress) => {
        writes.push(progress);
      },
      1000,
      () => Date.now(),
    );
    return { writes, reporter };
  };

  it('writes the first report at once and coalesces a burst into one trailing write', async () => {
    const { writes, reporter } = setup();
    reporter.report(1, 'load');
    for (let percent = 2; percent <= 50; percent++) reporter.report(percent, 'load');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((w) => w.percent)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes.map((w) => w.percent)).toEqual([1, 50]);
    await reporter.close();
  });

  it('writes at most about once per interval under steady reporting', async () => {
    const { writes, reporter } = setup();
    for (let tick = 0; tick < 100; tick++) {
      reporter.report(tick, 'work');
      await vi.advanceTimersByTimeAsync(100);
    }
    // 10 seconds of reports every 100 ms: one write per second, plus the first.
    expect(writes.length).toBeGreaterThanOrEqual(10);
    expect(writes.length).toBeLessThanOrEqual(11);
    await reporter.close();
  });

  it('writes a stage change immediately', async () => {
    const { writes, reporter } = setup();
    reporter.report(10, 'download');
    reporter.report(20, 'download');
    reporter.report(30, 'parse', 'now parsing');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([
      { percent: 10, stage: 'download', message: null },
      { percent: 30, stage: 'parse', message: 'now parsing' },
    ]);
    await reporter.close();
  });

  it('clamps percent into 0..100 and ignores reports after close', async () => {
    const { writes, reporter } = setup();
    reporter.report(250);
    await vi.advanceTimersByTimeAsync(0);
    await reporter.close();
    reporter.report(5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(writes).toEqual([{ percent: 100, stage: null, message: null }]);
  });

  it('keeps writing after a failed write', async () => {
    let calls = 0;
    const reporter = new ProgressReporter(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('throttled');
      },
      1000,
      () => Date.now(),
    );
    reporter.report(1, 'a');
    reporter.report(2, 'b');
    await vi.advanceTimersByTimeAsync(0);
    await reporter.close();
    expect(calls).toBe(2);
  });
});
