/** A job message that reached a tier's dead-letter queue: the job is marked `dead` with a clear error. */
import type { Clock } from '../core/clock.ts';
import { deadLetter } from '../core/control-transitions.ts';
import type { JobStore } from '../core/ports.ts';
import type { JobMessage } from './run-job.ts';

export type DeadLetterOutcome = 'buried' | 'ignored';

export async function buryDeadLetter(
  deps: { store: JobStore; clock: Clock },
  message: JobMessage,
  receiveCount: number,
): Promise<DeadLetterOutcome> {
  const job = await deps.store.get(message.jobId);
  // A message from an older epoch (the job was requeued since) or for a finished job says nothing new.
  if (!job || job.epoch !== message.epoch) return 'ignored';
  const next = await deps.store.apply(job, deadLetter(job, receiveCount, deps.clock.now()));
  return next ? 'buried' : 'ignored';
}
