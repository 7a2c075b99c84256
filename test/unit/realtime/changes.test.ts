import { describe, expect, it } from 'vitest';
import { isHeartbeatOnly } from '../../../functions/usecases/realtime/changes.ts';
import { aJob } from '../../support/job-factory.ts';

describe('which changes clients see', () => {
  const running = aJob({ status: 'running', heartbeatAt: '2026-01-01T00:00:00.000Z', seq: 4 });

  it('skips a heartbeat: only heartbeatAt and seq moved', () => {
    expect(isHeartbeatOnly(running, { ...running, heartbeatAt: '2026-01-01T00:00:05.000Z', seq: 5 })).toBe(
      true,
    );
  });

  it('ignores the order of attributes (DynamoDB returns them in any order)', () => {
    const reordered = Object.fromEntries(Object.entries(running).reverse()) as typeof running;
    expect(isHeartbeatOnly(running, { ...reordered, seq: 5 })).toBe(true);
  });

  it('sends progress, status and result changes, and new jobs', () => {
    const progress = { percent: 50, stage: 'half', message: null };
    expect(isHeartbeatOnly(running, { ...running, progress, seq: 5 })).toBe(false);
    expect(isHeartbeatOnly(running, { ...running, status: 'completed', seq: 5 })).toBe(false);
    expect(isHeartbeatOnly(running, { ...running, result: { ok: 1 }, seq: 5 })).toBe(false);
    expect(isHeartbeatOnly(null, running)).toBe(false);
  });
});

describe('internal attributes', () => {
  it('are no news: only the job view counts', () => {
    const job = aJob({ status: 'queued', epoch: 1 });
    expect(isHeartbeatOnly(job, { ...job, epoch: 2, seq: job.seq + 1 })).toBe(true);
  });
});
