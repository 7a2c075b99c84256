import { describe, expect, it } from 'vitest';
import { fullJitterBackoff, MAX_BACKOFF_SECONDS } from '../../functions/core/backoff.ts';
import { higherTier, tierForPriority } from '../../functions/core/tiers.ts';

describe('tierForPriority', () => {
  it.each([
    [10, 'critical'],
    [9, 'critical'],
    [8, 'high'],
    [7, 'high'],
    [6, 'normal'],
    [4, 'normal'],
    [3, 'low'],
    [1, 'low'],
  ])('maps priority %i to %s', (priority, tier) => {
    expect(tierForPriority(priority)).toBe(tier);
  });

  it.each([0, 11, 5.5, Number.NaN])('rejects priority %s', (priority) => {
    expect(() => tierForPriority(priority)).toThrow(RangeError);
  });

  it('moves one tier up, and critical stays critical', () => {
    expect(higherTier('low')).toBe('normal');
    expect(higherTier('normal')).toBe('high');
    expect(higherTier('high')).toBe('critical');
    expect(higherTier('critical')).toBe('critical');
  });
});

describe('fullJitterBackoff', () => {
  it('grows exponentially at the top of the jitter range', () => {
    const top = (retry: number) => fullJitterBackoff(retry, { baseSeconds: 30, random: () => 1 });
    expect([1, 2, 3, 4].map(top)).toEqual([30, 60, 120, 240]);
  });

  it('draws uniformly below the ceiling, never less than one second', () => {
    expect(fullJitterBackoff(3, { baseSeconds: 30, random: () => 0.5 })).toBe(60);
    expect(fullJitterBackoff(3, { baseSeconds: 30, random: () => 0 })).toBe(1);
  });

  it('is capped, and never above the SQS visibility ceiling', () => {
    expect(fullJitterBackoff(20, { baseSeconds: 30, capSeconds: 600, random: () => 1 })).toBe(600);
    expect(fullJitterBackoff(40, { baseSeconds: 3600, capSeconds: 10 ** 9, random: () => 1 })).toBe(
      MAX_BACKOFF_SECONDS,
    );
  });

  it('spreads retries of many jobs across the window', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = Array.from({ length: 1000 }, () => fullJitterBackoff(4, { baseSeconds: 30, random }));
    expect(Math.min(...delays)).toBeLessThan(30);
    expect(Math.max(...delays)).toBeGreaterThan(210);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});
