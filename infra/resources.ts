/**
 * The one source of truth for the tables and queues. The CDK constructs and the local stack both build
 * their resources from these definitions (plain data, no CDK import), and a test checks they agree.
 */
import { PARAMS_PREFIX, RESULTS_PREFIX } from '../functions/core/payloads.ts';
import { TIERS, type Tier } from '../functions/core/tiers.ts';

export interface KeyDefinition {
  name: string;
  type: 'S' | 'N';
}
export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyDefinition;
  sortKey: KeyDefinition;
  /** KEYS_ONLY keeps progress and heartbeat writes off the indexes; INCLUDE names the extra attributes. */
  projection: { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: string[] };
}
export interface TableDefinition {
  /** Logical id in CDK and the table-name suffix locally. */
  id: string;
  partitionKey: KeyDefinition;
  sortKey: KeyDefinition;
  timeToLiveAttribute: string;
  /** Tables that feed event-driven functions have a stream. */
  stream?: 'NEW_AND_OLD_IMAGES';
  globalSecondaryIndexes: IndexDefinition[];
}

const S = (name: string): KeyDefinition => ({ name, type: 'S' });

/**
 * Jobs table (single-table design). Items: the job (`JOB#<id>` / `JOB`).
 * Access patterns, none of them a scan, each index holding only what something reads:
 * - a job by id: GetItem;
 * - a user's jobs newest first: `byUser` (cursor = LastEvaluatedKey), a status or type filter applied to
 *   the fetched jobs with at most 500 index items examined per request; its keys are written once at
 *   create, so no status change ever writes it;
 * - active jobs (queued, running, cancelling, retrying) by creation time, for stale-run recovery and the
 *   lost-message sweep: `byActive`, sparse, sharded; one put when a job becomes active and one delete when
 *   it leaves, nothing in between (claim, heartbeats, re-sends keep its keys); the sweeps read only entries
 *   older than their threshold and check status and heartbeat on the fetched jobs;
 * - waiting jobs (pending, scheduled) by due time, and ended jobs by end time (cleanup,
 *   `GET /admin/dead`, redrive): `byStatus`, sparse (no entry while active), sharded;
 * - active jobs near or past their deadline (maintenance, statistics): `byDeadline`, sparse; a user's own
 *   (their `GET /queue/stats`): `byUserDeadline`, sparse.
 * An echo job thus writes four index entries in its life (byUser and byActive at create, the byActive
 * delete and the byStatus put when it ends) where it wrote twelve with status-keyed user indexes.
 * Other items: idempotency records (`IDEM#<user>#<key>` / `IDEM`), dependency edges (`JOB#<parent>` /
 * `DEP#<child>`), statistics counters (`STATS#<scope>` / `S#<shard>`) and webhooks (`WEBHOOK#<user>`; whether
 * any exists: `byWebhook`, sparse).
 */
export const jobsTable: TableDefinition = {
  id: 'Jobs',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
  globalSecondaryIndexes: [
    {
      indexName: 'byUser',
      partitionKey: S('userKey'),
      sortKey: S('createdKey'),
      projection: { type: 'KEYS_ONLY' },
    },
    {
      // Sparse: only queued, running, cancelling and retrying jobs; keys stable while they are.
      indexName: 'byActive',
      partitionKey: S('activeKey'),
      sortKey: S('createdKey'),
      projection: { type: 'KEYS_ONLY' },
    },
    {
      // Sparse: waiting (by due time) and ended (by end time) jobs.
      indexName: 'byStatus',
      partitionKey: S('statusKey'),
      sortKey: S('statusTimeKey'),
      projection: { type: 'KEYS_ONLY' },
    },
    {
      // Sparse: only active jobs with a deadline are in it, so counting those past theirs reads only them.
      indexName: 'byDeadline',
      partitionKey: S('deadlineKey'),
      sortKey: S('deadlineTimeKey'),
      projection: { type: 'INCLUDE', attributes: ['userId'] },
    },
    {
      // Sparse, per user: a user's past-deadline count reads only their own items.
      indexName: 'byUserDeadline',
      partitionKey: S('userDeadlineKey'),
      sortKey: S('deadlineTimeKey'),
      projection: { type: 'KEYS_ONLY' },
    },
    {
      // Sparse: only webhook registrations (the only items with a sealed secret), so "is any webhook
      // registered?" is a Scan of it with Limit 1 (adapters/dynamodb/webhook-registry.ts). Keyed by
      // attributes every registration has always had, so the index's backfill covers older ones.
      indexName: 'byWebhook',
      partitionKey: S('sealedSecret'),
      sortKey: S('id'),
      projection: { type: 'KEYS_ONLY' },
    },
  ],
};

/**
 * WebSocket connections and subscriptions (generic `pk`/`sk` strings; the real-time adapter owns the item
 * layout). Items expire with API Gateway's 2-hour connection limit.
 */
export const connectionsTable: TableDefinition = {
  id: 'Connections',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
};

/**
 * Schedules (recurring jobs): `U#<user>` / `<id>`, so a user's listing is one partition query. The
 * every-minute sweep finds due schedules through `byDue`, sparse (only unpaused schedules with a next run
 * time), sorted by that time: it reads only what is due. No stream: nothing reacts to schedule changes.
 */
export const schedulesTable: TableDefinition = {
  id: 'Schedules',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'byDue',
      partitionKey: S('dueKey'),
      sortKey: S('dueAtKey'),
      projection: { type: 'KEYS_ONLY' },
    },
  ],
};

export const tables: TableDefinition[] = [jobsTable, connectionsTable, schedulesTable];

/** Per-tier worker settings: concurrency weighted towards critical, low still always progresses. */
export interface TierDefinition {
  tier: Tier;
  /** Lambda SQS event source MaximumConcurrency (2-1000). */
  maxConcurrency: number;
  batchSize: number;
}

export const tierDefaults: Record<Tier, TierDefinition> = {
  critical: { tier: 'critical', maxConcurrency: 20, batchSize: 1 },
  high: { tier: 'high', maxConcurrency: 10, batchSize: 1 },
  normal: { tier: 'normal', maxConcurrency: 5, batchSize: 1 },
  low: { tier: 'low', maxConcurrency: 2, batchSize: 1 },
};

export const queueDefaults = {
  /**
   * Receives before SQS moves a message to the tier's DLQ: above maxRetries+1 (11) so retries never hit it,
   * with room for receives lost to throttling (each throttled batch returns after one visibility timeout).
   */
  maxReceiveCount: 20,
  /** Worker Lambda timeout; jobs may run up to 840 s of it. */
  workerTimeoutSeconds: 900,
  /**
   * The worker timeout plus a minute, not AWS's suggested six times: a throttled SQS event source retries a
   * batch until its visibility timeout passes, so 6 x 900 s would stall a throttled job for 90 minutes. The
   * worker extends the visibility of a running job itself (heartbeats), and reserved concurrency (the sum of
   * the tiers' MaximumConcurrency) keeps its event sources from being throttled in the first place.
   */
  visibilityTimeoutSeconds: 900 + 60,
  dlqRetentionDays: 14,
  queueRetentionDays: 4,
};

/**
 * Retries of the scheduled maintenance runs. EventBridge invokes Lambda asynchronously, and Lambda then
 * retries a failed invocation twice by default (one minute, then two minutes later) whatever the rule's
 * retry policy says (that one only covers failed deliveries). Set explicitly, and the local timer does the
 * same (functions/local/lifecycle-sources.ts):
 * - recover: no retry; the next run is a minute away and does the same work;
 * - cleanup: two retries (it runs once a day and every step is idempotent).
 */
export const maintenanceRetries = {
  recover: { retryAttempts: 0 },
  cleanup: { retryAttempts: 2 },
  /** Lambda's waits before its first and second asynchronous retry. */
  retryDelaysSeconds: [60, 120],
} as const;

export const queueName = (prefix: string, tier: Tier): string => `${prefix}-${tier}`;
export const deadLetterQueueName = (prefix: string, tier: Tier): string => `${prefix}-${tier}-dlq`;
/** The jobs-stream consumer's on-failure destination: metadata of batches dropped after their retries. */
export const streamFailuresQueueName = (prefix: string): string => `${prefix}-stream-failures`;

export interface PayloadExpiryRule {
  id: string;
  prefix: string;
  expirationDays: number;
}

/**
 * The S3 bucket of params and results too large for the job item (functions/core/payloads.ts). Cleanup
 * deletes a job's objects with the job; the lifecycle rules are the backstop for what it misses (jobs removed
 * by DynamoDB TTL, a run fenced out after writing its result), each rule after the longest time a job may
 * still need its objects:
 * - params are written at submission; a job may wait up to a year to start (runAt), then is kept
 *   `retentionDays` after it ends;
 * - a result is written when its run ends, and kept `retentionDays`; a durable step's result (under the
 *   job's results prefix) is written while the job runs, usually within a day of its end (a job redriven
 *   later whose step object has expired runs that step again);
 * plus TTL's lag (deletes within about 48 hours) and a day of margin.
 */
export const payloadBucket = {
  id: 'Payloads',
  lifecycleRules: (retentionDays: number): PayloadExpiryRule[] => [
    { id: 'params', prefix: PARAMS_PREFIX, expirationDays: retentionDays + 366 + 3 },
    { id: 'results', prefix: RESULTS_PREFIX, expirationDays: retentionDays + 3 },
  ],
  /** Parts of an upload a crash cut off are removed after a day. */
  abortIncompleteMultipartUploadDays: 1,
};
/** Bucket names are lowercase letters, digits, dots and hyphens. */
export const payloadBucketName = (prefix: string): string =>
  `${prefix}-payloads`.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
export { TIERS };
