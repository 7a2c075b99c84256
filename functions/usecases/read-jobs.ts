/** Reading jobs, always scoped to the caller: another user's job is indistinguishable from a missing one. */
import { NotFoundError } from '../core/errors.ts';
import type { Job, JobStatus } from '../core/job.ts';
import type { Count, JobStore, Page } from '../core/ports.ts';

export async function getOwnJob(store: JobStore, userId: string, id: string): Promise<Job> {
  const job = await store.get(id);
  if (!job || job.userId !== userId) throw new NotFoundError(`No job ${id}`);
  return job;
}

export function listOwnJobs(
  store: JobStore,
  userId: string,
  query: {
    status?: JobStatus | undefined;
    type?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<Page<Job>> {
  return store.listByUser(userId, query);
}

export function countOwnJobs(
  store: JobStore,
  userId: string,
  query: { status?: JobStatus | undefined; type?: string | undefined },
): Promise<Count> {
  return store.countByUser(userId, query);
}

/** The caller's job, or any job for an admin; otherwise a 404 like a missing one. */
export async function getReadableJob(
  store: JobStore,
  reader: { userId: string; isAdmin: boolean },
  id: string,
): Promise<Job> {
  const job = await store.get(id);
  if (!job || (job.userId !== reader.userId && !reader.isAdmin)) throw new NotFoundError(`No job ${id}`);
  return job;
}
