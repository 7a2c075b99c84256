/**
 * An in-memory JobStore for unit tests of the use cases: the same port contract as the DynamoDB adapter
 * (conditional transitions, newest-first lists), with no I/O. The adapter itself is tested against
 * DynamoDB Local in test/integration.
 */

import { isTerminal, JOB_STATUSES, type Job, type JobStatus, statusTime } from '../../functions/core/job.ts';
import type { JobSnapshot } from '../../functions/core/job-snapshot.ts';
import {
  type Count,
  type CreateOptions,
  type CreateResult,
  DependencyChangedError,
  type JobStore,
  type ListQuery,
  type Page,
  type SnapshotWrite,
  type StatsCounters,
  type StatsScope,
} from '../../functions/core/ports.ts';
import { allows, applied, type Transition } from '../../functions/core/transitions.ts';

export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  readonly applied: string[] = [];
  /** Reads by id (`get`), so tests can tell a claim from its snapshot from one after a read. */
  getCalls = 0;

  readonly idempotency = new Map<string, { jobId: string; fingerprint: string }>();

  readonly edges = new Map<string, string[]>();

  async create(job: Job, options: CreateOptions = {}): Promise<CreateResult> {
    const { idempotency, waitsFor = [] } = options;
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} exists`);
    for (const parent of waitsFor) {
      const status = this.jobs.get(parent.id)?.status;
      if (!status || isTerminal(status)) throw new DependencyChangedError('a dependency finished');
    }
    const key = idempotency && `${job.userId}#${idempotency.key}`;
    const previous = key && this.idempotency.get(key);
    if (previous) return { created: false, ...previous };
    if (key && idempotency)
      this.idempotency.set(key, { jobId: job.id, fingerprint: idempotency.fingerprint });
    for (const parent of waitsFor) this.edges.set(parent.id, [...(this.edges.get(parent.id) ?? []), job.id]);
    this.jobs.set(job.id, structuredClone(job));
    return { created: true };
  }
  async listDependants(parentId: string): Promise<string[]> {
    return [...(this.edges.get(parentId) ?? [])];
  }
  async delete(job: Job): Promise<boolean> {
    const current = this.jobs.get(job.id);
    if (!current || current.status !== job.status) return false;
    return this.jobs.delete(job.id);
  }
  /** Counted from the jobs themselves: the reference the DynamoDB counters are compared with. */
  async readStats(scope: StatsScope): Promise<StatsCounters> {
    const jobs = [...this.jobs.values()].filter((job) => 'all' in scope || job.userId === scope.userId);
    const byStatus = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<
      JobStatus,
      number
    >;
    const byPriority: Record<string, number> = {};
    for (let p = 1; p <= 10; p++) byPriority[String(p)] = 0;
    for (const job of jobs) {
      byStatus[job.status] += 1;
      byPriority[String(job.priority)] = (byPriority[String(job.priority)] ?? 0) + 1;
    }
    const sum = (values: Array<number | null>) => {
      const present = values.filter((value): value is number => value !== null);
      return { sum: present.reduce((a, b) => a + b, 0), count: present.length };
    };
    return {
      byStatus,
      byPriority,
      queueTime: sum(jobs.map((job) => job.queueTimeMs)),
      executionTime: sum(jobs.map((job) => (job.completedAt ? job.executionTimeMs : null))),
    };
  }
  async countPastDeadline(scope: StatsScope, now: Date): Promise<Count> {
    const count = [...this.jobs.values()].filter(
      (job) =>
        ('all' in scope || job.userId === scope.userId) &&
        !isTerminal(job.status) &&
        job.deadline !== null &&
        new Date(job.deadline) < now,
    ).length;
    return { count, approximate: false };
  }
  async get(id: string): Promise<Job | null> {
    this.getCalls += 1;
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
  async applyToSnapshot(snapshot: JobSnapshot, transition: Transition): Promise<SnapshotWrite> {
    const current = this.jobs.get(snapshot.id);
    if (!current || !allows(current, transition))
      return { applied: false, current: current ? structuredClone(current) : null };
    const next = applied(current, transition);
    this.jobs.set(snapshot.id, next);
    this.applied.push(transition.name);
    return { applied: true, job: structuredClone(next) };
  }
  async listByUser(userId: string, query: ListQuery): Promise<Page<Job>> {
    const all = this.#mine(userId, query);
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }
  async countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<Count> {
    return { count: this.#mine(userId, query).length, approximate: false };
  }
  async listByStatus(
    status: JobStatus,
    query: { until?: string | undefined; limit: number },
  ): Promise<Page<Job>> {
    const until = query.until ?? '9999';
    const items = [...this.jobs.values()]
      .filter((job) => job.status === status && statusTime(job) <= until)
      .slice(0, query.limit);
    return { items: items.map((job) => structuredClone(job)), nextCursor: null };
  }
  async listByDeadline(query: {
    since?: string | undefined;
    until?: string | undefined;
    limit: number;
  }): Promise<Page<Job>> {
    const until = query.until ?? '9999';
    const since = query.since ?? '';
    const items = [...this.jobs.values()]
      .filter(
        (job) =>
          !isTerminal(job.status) && job.deadline !== null && job.deadline <= until && job.deadline >= since,
      )
      .slice(0, query.limit);
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
