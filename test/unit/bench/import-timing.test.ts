import { describe, expect, it } from 'vitest';
import {
  alternatingRounds,
  sdkPackagesOf,
  spread,
  summarizeImports,
} from '../../../bench/lib/import-timing.ts';

describe('import timing helpers', () => {
  it('finds each external @aws-sdk package of a minified bundle once, static or dynamic', () => {
    const source =
      'import{DynamoDBClient as a}from"@aws-sdk/client-dynamodb";import{SQSClient as b}from"@aws-sdk/client-sqs";' +
      'const c=await import("@aws-sdk/client-s3");import{marshall}from"@aws-sdk/client-dynamodb";var d="aws-sdk";';
    expect(sdkPackagesOf(source)).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-sqs',
    ]);
    expect(sdkPackagesOf('export const x = 1;')).toEqual([]);
  });

  it('visits every bundle once per round with both kinds of process, reversing every other round', () => {
    const visits = alternatingRounds(2, 2);
    expect(visits).toEqual([
      { index: 0, clientsFirst: false },
      { index: 0, clientsFirst: true },
      { index: 1, clientsFirst: false },
      { index: 1, clientsFirst: true },
      { index: 1, clientsFirst: true },
      { index: 1, clientsFirst: false },
      { index: 0, clientsFirst: true },
      { index: 0, clientsFirst: false },
    ]);
    expect(alternatingRounds(0, 4)).toEqual([]);
  });

  it('gives the median and p90 by nearest rank', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(spread(values)).toEqual({ n: 10, median: 5, p90: 9 });
    expect(spread([4])).toEqual({ n: 1, median: 4, p90: 4 });
  });

  it('summarizes what the bundle adds per process, not the difference of separate medians', () => {
    // The SDK's import swings by 100 ms between processes; the bundle adds 5-7 ms to each.
    const samples = [
      { sdkMs: 80, clientsMs: null, bundleMs: 5, bundleCpuMs: 4 },
      { sdkMs: 180, clientsMs: null, bundleMs: 7, bundleCpuMs: 6 },
      { sdkMs: 120, clientsMs: null, bundleMs: 6, bundleCpuMs: 5 },
      { sdkMs: 95, clientsMs: 3, bundleMs: 2, bundleCpuMs: 2 },
      { sdkMs: 150, clientsMs: 4, bundleMs: 3, bundleCpuMs: 3 },
    ];
    const summary = summarizeImports(samples);
    expect(summary.own).toEqual({ n: 3, median: 6, p90: 7 });
    expect(summary.ownCpu.median).toBe(5);
    expect(summary.sdk.median).toBe(120);
    expect(summary.total.median).toBe(126);
    // The processes that construct the SDK's first clients before the bundle: the bundle's own code.
    expect(summary.clients).toEqual({ n: 2, median: 3, p90: 4 });
    expect(summary.code).toEqual({ n: 2, median: 2, p90: 3 });
  });
});
