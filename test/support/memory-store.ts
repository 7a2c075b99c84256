/**
 * An in-memory JobStore for unit tests of the use cases: the same port contract as the DynamoDB adapter
 * (conditional transitions, newest-first lists), with no I/O. The adapter itself is tested against
 * DynamoDB Local in test/integration.
 */
import type { Job, JobStatus } from '../../functions/core/job.ts';
import type { JobStore, ListQuery, Page } from '../../functions/core/ports.ts';
import { allows, applied, type Transition } from '../../functions/core/transitions.ts';

export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  readonly applied: string[] = [];

  async create(job: Job): Promise<void> {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} exists`);
    this.jobs.set(job.id, structuredClone(job));
  }
  async get(id: string): Promise<Job | null> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : null;
  }
  async apply(job: Job, transition: Transition): Promise<Job | null> {
    const current = this.jobs.get(job.id);
    if (!current || !allows(current, transition)) return null;
    const next = applied(current, transition);
    this.jobs.set(job.id, next);
    this.applied.push(transition.name);
    return structuredClone(next);
  }
  async listByUser(userId: string, query: ListQuery): Promise<Page<Job>> {
    const all = this.#mine(userId, query);
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }
  async countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<number> {
    return this.#mine(userId, query).length;
  }
  async listByStatus(status: JobStatus, query: { until?: string; limit: number }): Promise<Page<Job>> {
    const items = [...this.jobs.values()].filter((job) => job.status === status).slice(0, query.limit);
    return { items: items.map((job) => structuredClone(job)), nextCursor: null };
  }
  #mine(userId: string, query: { status?: JobStatus | undefined; type?: string | undefined }): Job[] {
    return [...this.jobs.values()]
      .filter((job) => job.userId === userId)
      .filter((job) => query.status === undefined || job.status === query.status)
      .filter((job) => query.type === undefined || job.type === query.type)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((job) => structuredClone(job));
  }
}

export const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
