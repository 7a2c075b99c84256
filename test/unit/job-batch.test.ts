import { describe, expect, it } from 'vitest';
import { failedRecordDelay } from '../../functions/adapters/sqs/job-batch.ts';

describe('a record that failed with an error', () => {
  it('comes back after 10 s, doubling with each receive up to 15 minutes', () => {
    expect([1, 2, 3, 4].map(failedRecordDelay)).toEqual([10, 20, 40, 80]);
    expect(failedRecordDelay(7)).toBe(640);
    expect(failedRecordDelay(8)).toBe(900);
    expect(failedRecordDelay(15)).toBe(900);
    // A missing or odd receive count is treated as the first receive.
    expect(failedRecordDelay(0)).toBe(10);
  });
});
