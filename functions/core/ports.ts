/**
 * The ports the core and its use cases depend on. Adapters (DynamoDB, SQS, ...) implement them and are
 * passed in; nothing in `core/` imports an adapter.
 */
import type { Job, JobStatus } from './job.ts';
import type { JobSnapshot } from './job-snapshot.ts';
import type { Transition } from './transitions.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListQuery {
  status?: JobStatus | undefined;
  type?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A client's idempotency key and a fingerprint of the request it came with. */
export interface Idempotency {
  key: string;
  fingerprint: string;
}

export interface CreateOptions {
  idempotency?: Idempotency | undefined;
  /**
   * Unfinished jobs the new one waits for. The edges are written with the job, on condition that each
   * parent is still unfinished; otherwise `DependencyChangedError` and nothing is written.
   */
  waitsFor?: Job[] | undefined;
}

/** A parent finished while its dependant was being created; re-read the parents and try again. */
export class DependencyChangedError extends Error {
  override readonly name = 'DependencyChangedError';
}

export type SnapshotWrite = { applied: true; job: Job } | { applied: false; current: Job | null };

export type CreateResult = { created: true } | { created: false; jobId: string; fingerprint: string };

/** Maintained counters (exact; read in O(1)). */
export interface StatsCounters {
  byStatus: Record<JobStatus, number>;
  byPriority: Record<string, number>;
  queueTime: { sum: number; count: number };
  executionTime: { sum: number; count: number };
}

export type StatsScope = { userId: string } | { all: true };

export interface JobStore {
  /**
   * Writes a new job (and its idempotency record, atomically). When the key was used before, nothing is
   * written and the original job id and request fingerprint are returned.
   */
  create(job: Job, options?: CreateOptions): Promise<CreateResult>;
  /** Ids of the jobs waiting for `parentId` (dependency edges). */
  listDependants(parentId: string): Promise<string[]>;
  /** Deletes a terminal job; false if it is gone or no longer terminal. */
  delete(job: Job): Promise<boolean>;
  readStats(scope: StatsScope): Promise<StatsCounters>;
  /** Active (non-terminal) jobs whose deadline is before `now`; reads only the scope's own index items. */
  countPastDeadline(scope: StatsScope, now: Date): Promise<Count>;
  /** Strongly consistent read by id (any owner). */
  get(id: string): Promise<Job | null>;
  /** Applies a transition as one conditional write. Returns the new job, or null if the precondition failed. */
  apply(job: Job, transition: Transition): Promise<Job | null>;
  /**
   * Applies a transition computed from a snapshot (a job message's) as one conditional write, without a read
   * and without retrying: the new job, or, when the precondition failed, the job as it is (null: none).
   */
  applyToSnapshot(snapshot: JobSnapshot, transition: Transition): Promise<SnapshotWrite>;
  /** A user's jobs, newest first. The cursor is opaque to callers. */
  listByUser(userId: string, query: ListQuery): Promise<Page<Job>>;
  /** Exact from the counters without a type filter; with one, a capped count (`approximate` past the cap). */
  countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<Count>;
  /** Jobs in one status whose status time is at or before `until`, oldest first (maintenance work). */
  listByStatus(status: JobStatus, query: StatusQuery): Promise<Page<Job>>;
  /** Active jobs whose deadline is at or before `until` (and at or after `since`), earliest first per shard. */
  listByDeadline(query: StatusQuery): Promise<Page<Job>>;
}

/** A count that examined a bounded number of items: when `approximate`, the true count is at least `count`. */
export interface Count {
  count: number;
  approximate: boolean;
}

export interface StatusQuery {
  /** Only the deadline listing reads a lower bound. */
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface Dispatcher {
  /** Sends the job's id and epoch to its tier queue, optionally delayed (0-900 s). */
  dispatch(job: Job, options?: { delaySeconds?: number }): Promise<void>;
}
