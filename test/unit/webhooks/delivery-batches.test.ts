import { describe, expect, it } from 'vitest';
import { chunks } from '../../../functions/adapters/sqs/delivery-queue.ts';

describe('delivery queue send batches', () => {
  it('groups at most 10 messages per batch', () => {
    const groups = chunks(Array.from({ length: 23 }, (_, i) => `m${i}`));
    expect(groups.map((group) => group.length)).toEqual([10, 10, 3]);
    expect(groups.flat()).toEqual(Array.from({ length: 23 }, (_, i) => `m${i}`));
  });

  it('keeps each batch under SQS 1 MiB batch limit when job bodies are large', () => {
    const body = 'x'.repeat(300 * 1024);
    const groups = chunks([body, body, body, body, body]);
    expect(groups.map((group) => group.length)).toEqual([3, 2]);
    for (const group of groups) expect(group.join('').length).toBeLessThan(1024 * 1024);
  });
});
