/**
 * The DynamoDB implementation of the JobStore port. Every state change is one conditional UpdateItem built
 * from a core `Transition` (job-writes.ts); lists read keys from an index and the jobs with BatchGetItem
 * (user-listings.ts, sharded-reads.ts); statistics read the counters and the deadline indexes
 * (stats-reads.ts). No scans.
 */
import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Job, JobStatus } from '../../core/job.ts';
import type { JobSnapshot } from '../../core/job-snapshot.ts';
import type {
  Count,
  CreateOptions,
  CreateResult,
  JobStore,
  ListQuery,
  Page,
  SnapshotWrite,
  StatsCounters,
  StatsScope,
  StatusQuery,
} from '../../core/ports.ts';
import type { Transition } from '../../core/transitions.ts';
import { type ItemOptions, jobKey } from './job-item.ts';
import { applyTransition, createJob, deleteJob, getJob } from './job-writes.ts';
import { listByDeadline, listByStatus } from './sharded-reads.ts';
import { applyToSnapshot } from './snapshot-writes.ts';
import { countPastDeadline, readStats } from './stats-reads.ts';
import type { StoreContext } from './store-context.ts';
import { countUserJobs, listUserJobs } from './user-listings.ts';

export interface DynamoJobStoreOptions extends ItemOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoJobStore implements JobStore {
  readonly #context: StoreContext;

  constructor(options: DynamoJobStoreOptions) {
    this.#context = {
      client: options.client,
      table: options.tableName,
      options: { retentionDays: options.retentionDays },
    };
  }

  create(job: Job, options: CreateOptions = {}): Promise<CreateResult> {
    return createJob(this.#context, job, options);
  }

  async listDependants(parentId: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#context.client.send(
        new QueryCommand({
          TableName: this.#context.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dep)',
          ExpressionAttributeValues: marshall({ ':pk': jobKey(parentId).pk, ':dep': 'DEP#' }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.sk?.S).slice('DEP#'.length));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  get(id: string): Promise<Job | null> {
    return getJob(this.#context, id);
  }

  apply(job: Job, transition: Transition): Promise<Job | null> {
    return applyTransition(this.#context, job, transition);
  }

  applyToSnapshot(snapshot: JobSnapshot, transition: Transition): Promise<SnapshotWrite> {
    return applyToSnapshot(this.#context, snapshot, transition);
  }

  delete(job: Job): Promise<boolean> {
    return deleteJob(this.#context, job, (parentId) => this.listDependants(parentId));
  }

  readStats(scope: StatsScope): Promise<StatsCounters> {
    return readStats(this.#context, scope);
  }

  countPastDeadline(scope: StatsScope, now: Date): Promise<Count> {
    return countPastDeadline(this.#context, scope, now);
  }

  listByUser(userId: string, query: ListQuery): Promise<Page<Job>> {
    return listUserJobs(this.#context, userId, query);
  }

  countByUser(userId: string, query: Omit<ListQuery, 'limit' | 'cursor'>): Promise<Count> {
    return countUserJobs(this.#context, userId, query);
  }

  /** Oldest first per shard; the cursor holds one position per shard. */
  listByStatus(status: JobStatus, query: StatusQuery): Promise<Page<Job>> {
    return listByStatus(this.#context, status, query);
  }

  listByDeadline(query: StatusQuery): Promise<Page<Job>> {
    return listByDeadline(this.#context, query);
  }
}
