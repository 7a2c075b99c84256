/** Cleanup within a time budget: it stops with a cursor and a later run resumes without skipping jobs. */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import { ValidationError } from '../../functions/core/errors.ts';
import { cleanupWithin } from '../../functions/usecases/cleanup.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';

async function setup(count: number) {
  const clock = new TestClock(new Date('2026-06-01T00:00:00Z'));
  const store = new MemoryJobStore();
  const longAgo = new Date(clock.now().getTime() - 40 * 86_400_000).toISOString();
  for (let i = 0; i < count; i++)
    await store.create(aJob({ status: i % 2 ? 'completed' : 'dead', completedAt: longAgo }));
  return { clock, store };
}

describe('cleanupWithin', () => {
  it('stops when the budget is spent and resumes from its cursor until complete', async () => {
    const { clock, store } = await setup(250);
    let deletesLeft = 60;
    const budget = () => deletesLeft-- <= 0;
    const first = await cleanupWithin({ store, clock }, { days: 30, outOfTime: budget });
    expect(first.complete).toBe(false);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.deleted).toBeGreaterThan(0);

    let total = first.deleted;
    let cursor = first.nextCursor;
    let runs = 1;
    while (cursor) {
      deletesLeft = 60;
      const next = await cleanupWithin({ store, clock }, { days: 30, cursor, outOfTime: budget });
      total += next.deleted;
      cursor = next.nextCursor;
      runs += 1;
      if (runs > 50) throw new Error('cleanup never completed');
    }
    expect(total).toBe(250);
    expect(runs).toBeGreaterThan(2);
  });

  it('completes in one run without a budget', async () => {
    const { clock, store } = await setup(5);
    expect(await cleanupWithin({ store, clock }, { days: 30 })).toEqual({
      deleted: 5,
      complete: true,
      nextCursor: null,
    });
  });

  it('refuses a cursor it did not issue', async () => {
    const { clock, store } = await setup(1);
    await expect(cleanupWithin({ store, clock }, { days: 30, cursor: 'bogus' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
