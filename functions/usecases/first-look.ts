/**
 * A worker's first look at the job of a message. On the message's first delivery, when it carries a snapshot
 * of its job (core/job-snapshot.ts) from which the job can start now, the job is started with one
 * conditional write pinned to the snapshot's `seq` and no read: the common path of every job. If the item
 * changed since (a cancel, a newer message), that write fails and returns the item as it is, which the
 * worker goes on with exactly as if it had read it. Every other case reads the job first: a later
 * delivery's snapshot is stale by construction (the job ran or was retried meanwhile), and a failed
 * conditional write costs a write unit where a read costs half a read unit.
 */
import type { Job } from '../core/job.ts';
import { startFromSnapshot } from '../core/job-snapshot.ts';
import type { JobStore } from '../core/ports.ts';
import type { JobDelivery } from './run-job.ts';

export type FirstLook = { kind: 'started'; job: Job } | { kind: 'found'; job: Job | null };

export async function firstLook(store: JobStore, delivery: JobDelivery, now: Date): Promise<FirstLook> {
  const { snapshot } = delivery;
  const fromSnapshot =
    delivery.receiveCount === 1 &&
    snapshot?.id === delivery.jobId &&
    snapshot.epoch === delivery.epoch &&
    startFromSnapshot(snapshot, now);
  if (!snapshot || !fromSnapshot) return { kind: 'found', job: await store.get(delivery.jobId) };
  const write = await store.applyToSnapshot(snapshot, fromSnapshot);
  return write.applied ? { kind: 'started', job: write.job } : { kind: 'found', job: write.current };
}
