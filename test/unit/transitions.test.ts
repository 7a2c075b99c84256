import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import { recoverStale, requeue } from '../../functions/core/control-transitions.ts';
import {
  JobTimeoutError,
  PermanentJobError,
  TransientJobError,
  toJobError,
} from '../../functions/core/errors.ts';
import { toJobView } from '../../functions/core/job.ts';
import {
  MAX_ERROR_MESSAGE_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
  MAX_STAGE_BYTES,
} from '../../functions/core/limits.ts';
import {
  allows,
  applied,
  claim,
  complete,
  decideFailure,
  expire,
  heartbeat,
} from '../../functions/core/transitions.ts';
import { aJob } from '../support/job-factory.ts';

const clock = new TestClock('2026-03-01T12:00:00.000Z');

describe('claim', () => {
  it('starts a queued job at its epoch and counts the attempt', () => {
    const job = aJob({ status: 'queued', queuedAt: '2026-03-01T11:59:58.000Z' });
    const transition = claim(job, clock.now());
    expect(allows(job, transition)).toBe(true);
    const next = applied(job, transition);
    expect(next).toMatchObject({ status: 'running', attempt: 1, queueTimeMs: 2000, seq: 2 });
    expect(next.startedAt).toBe('2026-03-01T12:00:00.000Z');
  });

  it('is refused for a running job, a terminal job, or another epoch', () => {
    const job = aJob({ status: 'queued', epoch: 3 });
    const transition = claim(job, clock.now());
    expect(allows({ ...job, status: 'running' }, transition)).toBe(false);
    expect(allows({ ...job, status: 'completed' }, transition)).toBe(false);
    expect(allows({ ...job, epoch: 4 }, transition)).toBe(false);
  });

  it('is refused once another run of the same attempt has failed back to retrying', () => {
    const queued = aJob({ status: 'queued', epoch: 1, attempt: 0 });
    const late = claim(queued, clock.now());
    const retrying = { ...applied(queued, claim(queued, clock.now())), status: 'retrying' as const };
    expect(retrying.attempt).toBe(1);
    expect(allows(retrying, late)).toBe(false);
    expect(allows(retrying, claim(retrying, clock.now()))).toBe(true);
  });
});

describe('run fencing', () => {
  it("refuses an older attempt's writes at the same epoch (a run recovered by its returning message)", () => {
    const zombie = aJob({ status: 'running', epoch: 2, attempt: 1 });
    const rerun = { ...zombie, attempt: 2 };
    const now = clock.now();
    const error = new TransientJobError('boom');
    for (const transition of [
      heartbeat(zombie, now),
      heartbeat(zombie, now, { percent: 50, stage: null, message: null }),
      complete(zombie, { ok: true }, now),
      decideFailure(zombie, error, now).transition,
      decideFailure(zombie, new PermanentJobError('no'), now).transition,
    ]) {
      expect(allows(zombie, transition)).toBe(true);
      expect(allows(rerun, transition), transition.name).toBe(false);
    }
  });
});

describe('heartbeat and completion', () => {
  const running = aJob({ status: 'running', attempt: 1, startedAt: '2026-03-01T11:59:00.000Z' });

  it('writes progress only while running or cancelling', () => {
    const progress = { percent: 50, stage: 'half', message: null };
    const transition = heartbeat(running, clock.now(), progress);
    expect(transition.set).toEqual({ heartbeatAt: '2026-03-01T12:00:00.000Z', progress });
    expect(allows({ ...running, status: 'cancelling' }, transition)).toBe(true);
    expect(allows({ ...running, status: 'cancelled' }, transition)).toBe(false);
  });

  it('completes with the result, 100 percent and the execution time', () => {
    const next = applied(running, complete(running, { ok: 1 }, clock.now()));
    expect(next).toMatchObject({
      status: 'completed',
      result: { ok: 1 },
      executionTimeMs: 60_000,
      error: null,
    });
    expect(next.progress.percent).toBe(100);
  });
});

describe('decideFailure', () => {
  const running = (overrides = {}) => aJob({ status: 'running', attempt: 1, maxRetries: 3, ...overrides });
  const random = () => 1;

  it('retries a transient error with backoff while retries remain', () => {
    const outcome = decideFailure(running({ attempt: 2 }), new TransientJobError('flaky'), clock.now(), {
      random,
    });
    expect(outcome.kind).toBe('retry');
    if (outcome.kind !== 'retry') return;
    expect(outcome.delaySeconds).toBe(60);
    expect(outcome.transition.set).toMatchObject({
      status: 'retrying',
      error: { code: 'transient_error', message: 'flaky', retryable: true },
      queuedAt: '2026-03-01T12:01:00.000Z',
    });
  });

  it('fails a permanent error at once', () => {
    const outcome = decideFailure(running(), new PermanentJobError('bad input'), clock.now());
    expect(outcome.kind).toBe('fail');
    expect(outcome.transition.set.status).toBe('failed');
  });

  it('buries the job when retries are exhausted', () => {
    const outcome = decideFailure(running({ attempt: 4 }), new TransientJobError('flaky'), clock.now());
    expect(outcome.kind).toBe('dead');
    expect(outcome.transition.set.error?.message).toContain('gave up after 4 attempts');
  });

  it('says "1 attempt" when a job without retries gives up', () => {
    const job = running({ attempt: 1, maxRetries: 0 });
    const outcome = decideFailure(job, new TransientJobError('flaky'), clock.now());
    expect(outcome.transition.set.error?.message).toBe('flaky (gave up after 1 attempt)');
  });

  it('fails (not dead) a timeout with no retries left, as the contract says', () => {
    const outcome = decideFailure(
      running({ attempt: 1, maxRetries: 0 }),
      new JobTimeoutError(5),
      clock.now(),
    );
    expect(outcome.kind).toBe('fail');
    expect(outcome.transition.set.error?.code).toBe('timeout');
  });

  it('honours a cancel request over any error', () => {
    const outcome = decideFailure(running({ status: 'cancelling' }), new TransientJobError('x'), clock.now());
    expect(outcome.kind).toBe('cancelled');
    expect(outcome.transition.set.status).toBe('cancelled');
  });
});

describe('retry budget after a retry or redrive', () => {
  const dead = aJob({ status: 'dead', attempt: 4, maxRetries: 3 });
  const requeued = applied(dead, requeue(dead, clock.now()));
  const runAgain = (job: typeof requeued, runs: number) => ({
    ...job,
    status: 'running' as const,
    attempt: job.attempt + runs,
  });

  it('keeps counting runs started and renews the budget', () => {
    expect(requeued).toMatchObject({ status: 'queued', attempt: 4, retryBase: 4 });
  });

  it('retries again as often as a fresh job would, then buries it', () => {
    for (let runs = 1; runs <= 3; runs++) {
      expect(decideFailure(runAgain(requeued, runs), new TransientJobError('x'), clock.now()).kind).toBe(
        'retry',
      );
    }
    const exhausted = decideFailure(runAgain(requeued, 4), new TransientJobError('x'), clock.now());
    expect(exhausted.kind).toBe('dead');
    expect(exhausted.transition.set.error?.message).toContain('gave up after 4 attempts');
  });

  it('gives a recovered stale job the same budget', () => {
    expect(recoverStale(runAgain(requeued, 3), clock.now()).set.status).toBe('queued');
    expect(recoverStale(runAgain(requeued, 4), clock.now()).set.status).toBe('dead');
  });
});

describe('bounded error and progress text', () => {
  const running = aJob({ status: 'running', attempt: 1 });

  it('cuts an error message to its limit whatever an agent threw', () => {
    const outcome = decideFailure(running, new PermanentJobError('é'.repeat(100_000)), clock.now());
    const message = outcome.transition.set.error?.message ?? '';
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(message.endsWith('…')).toBe(true);
  });

  it('cuts progress stage and message to their limits', () => {
    const set = heartbeat(running, clock.now(), {
      percent: 5,
      stage: 's'.repeat(10_000),
      message: '🙂'.repeat(10_000),
    }).set;
    expect(Buffer.byteLength(set.progress?.stage ?? '')).toBeLessThanOrEqual(MAX_STAGE_BYTES);
    expect(Buffer.byteLength(set.progress?.message ?? '')).toBeLessThanOrEqual(MAX_PROGRESS_MESSAGE_BYTES);
    expect(set.progress?.message?.startsWith('🙂🙂')).toBe(true);
  });
});

describe('expire', () => {
  it('fails a queued job whose deadline passed with deadline_exceeded', () => {
    const job = aJob({ deadline: '2026-03-01T11:00:00.000Z' });
    const next = applied(job, expire(job, clock.now()));
    expect(next.status).toBe('failed');
    expect(next.error?.code).toBe('deadline_exceeded');
  });
});

describe('toJobError', () => {
  it('treats unknown errors as transient and keeps job errors as they are', () => {
    expect(toJobError(new Error('boom'))).toMatchObject({ code: 'agent_error', retryable: true });
    const permanent = new PermanentJobError('no');
    expect(toJobError(permanent)).toBe(permanent);
  });
});

describe('toJobView', () => {
  it('hides the owner and the fencing epoch', () => {
    const view = toJobView(aJob({ userId: 'secret-user', epoch: 9 }));
    expect(view).not.toHaveProperty('userId');
    expect(view).not.toHaveProperty('epoch');
    expect(Object.keys(view)).toContain('seq');
  });
});
