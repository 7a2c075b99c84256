import { describe, expect, it } from 'vitest';
import { toJobView } from '../../../functions/core/job.ts';
import { byteLength, jobFrame, MAX_FRAME_BYTES } from '../../../functions/usecases/realtime/frames.ts';
import { aJob } from '../../support/job-factory.ts';

const parse = (text: string) => JSON.parse(text) as { type: string; job: Record<string, unknown> };

describe('job frames', () => {
  it('sends a job that fits unchanged, in the contract shape', () => {
    const view = toJobView(aJob({ result: { ok: true } }));
    const text = jobFrame('job.updated', view);
    expect(parse(text)).toEqual({ type: 'job.updated', job: view });
  });

  it('leaves a large result out and marks it', () => {
    const view = toJobView(aJob({ result: { blob: 'x'.repeat(40_000) } }));
    const text = jobFrame('job.snapshot', view);
    expect(byteLength(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const { job } = parse(text);
    expect(job).toMatchObject({ id: view.id, status: view.status, seq: view.seq, params: view.params });
    expect(job.result).toBeNull();
    expect(job.resultTruncated).toBe(true);
  });

  it('counts bytes, not characters', () => {
    const view = toJobView(aJob({ result: '€'.repeat(12_000) })); // 12,000 characters, 36,000 bytes
    const { job } = parse(jobFrame('job.updated', view));
    expect(job.resultTruncated).toBe(true);
  });

  it('cuts long texts, then leaves params out, when dropping the result is not enough', () => {
    const view = toJobView(
      aJob({
        params: { prompt: 'p'.repeat(40_000) },
        progress: { percent: 50, stage: 'thinking', message: 'm'.repeat(10_000) },
        error: { code: 'boom', message: 'e'.repeat(10_000), retryable: true },
      }),
    );
    const text = jobFrame('job.updated', view);
    expect(byteLength(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const { job } = parse(text);
    expect(job).toMatchObject({ params: {}, paramsTruncated: true, seq: view.seq });
    expect(job.resultTruncated).toBeUndefined();
    const progress = job.progress as { message: string; percent: number };
    expect(progress.percent).toBe(50);
    expect(progress.message.length).toBeLessThanOrEqual(1024);
    expect((job.error as { message: string }).message.length).toBeLessThanOrEqual(1024);
  });

  it('falls back to identity, status and progress when nothing else fits', () => {
    const view = toJobView(aJob({ dependsOn: Array.from({ length: 2_000 }, (_, i) => `dependency-${i}`) }));
    const text = jobFrame('job.updated', view, 4_096);
    expect(byteLength(text)).toBeLessThanOrEqual(4_096);
    expect(parse(text).job).toMatchObject({
      id: view.id,
      status: view.status,
      seq: view.seq,
      truncated: true,
    });
  });
});
