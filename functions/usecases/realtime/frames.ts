/**
 * The server → client frames of the WebSocket contract (API.md "WebSocket messages"). A frame never exceeds
 * 32 KB: a job that does not fit loses its `result` first (`"result": null, "resultTruncated": true`, read it
 * with GET /jobs/{id} or /jobs/{id}/result), then long texts are cut, then `params` is left out, and last only
 * its identity, status and progress remain. A result kept in S3 is already null with `resultTruncated` in the
 * job view, and every frame keeps that marker.
 */
import type { JobView } from '../../core/job.ts';

/** API Gateway's WebSocket frame size. */
export const MAX_FRAME_BYTES = 32 * 1024;
const MAX_TEXT_CHARS = 1024;

export type JobFrameType = 'job.snapshot' | 'job.updated';

/** A job view as sent: the contract's view plus truncation markers. */
export type FrameJob = Partial<JobView> &
  Pick<JobView, 'id' | 'status' | 'seq'> & {
    resultTruncated?: true;
    paramsTruncated?: true;
    truncated?: true;
  };

export type ServerFrame =
  | { type: JobFrameType; job: FrameJob }
  | { type: 'subscribed'; all: true }
  | { type: 'unsubscribed'; jobId?: string; all?: true }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

const cut = (text: string | null, max = MAX_TEXT_CHARS): string | null =>
  text !== null && text.length > max ? `${text.slice(0, max - 1)}…` : text;

const withoutResult = (job: FrameJob): FrameJob =>
  job.result === null || job.result === undefined ? job : { ...job, result: null, resultTruncated: true };

const withShortTexts = (job: FrameJob): FrameJob => ({
  ...job,
  ...(job.progress && {
    progress: { ...job.progress, stage: cut(job.progress.stage), message: cut(job.progress.message) },
  }),
  ...(job.error && { error: { ...job.error, message: cut(job.error.message) ?? '' } }),
  ...(job.idempotencyKey && { idempotencyKey: cut(job.idempotencyKey, 256) }),
});

const withoutParams = (job: FrameJob): FrameJob => ({ ...job, params: {}, paramsTruncated: true });

/** Each step keeps what the previous ones did. */
const SHRINK_STEPS = [withoutResult, withShortTexts, withoutParams];

/** The job frame as JSON text, shrunk step by step until it fits in `maxBytes`. */
export function jobFrame(type: JobFrameType, view: JobView, maxBytes = MAX_FRAME_BYTES): string {
  let job: FrameJob = view;
  let text = JSON.stringify({ type, job });
  for (const shrink of SHRINK_STEPS) {
    if (byteLength(text) <= maxBytes) return text;
    job = shrink(job);
    text = JSON.stringify({ type, job });
  }
  if (byteLength(text) <= maxBytes) return text;
  return JSON.stringify({ type, job: minimalJob(view) });
}

/** The last resort: what a progress bar needs, every text cut short. */
function minimalJob(view: JobView): FrameJob {
  return {
    id: view.id,
    type: view.type.slice(0, 64),
    command: view.command.slice(0, 64),
    status: view.status,
    progress: {
      percent: view.progress.percent,
      stage: cut(view.progress.stage, 64),
      message: cut(view.progress.message, 256),
    },
    seq: view.seq,
    result: null,
    ...((view.result !== null || view.resultTruncated) && { resultTruncated: true as const }),
    truncated: true,
  };
}

export const errorFrame = (code: string, message: string): ServerFrame => ({ type: 'error', code, message });
