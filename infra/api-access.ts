/**
 * What each HTTP API handler module may touch, read off its imports (functions/wiring/*): the stack builds
 * one Lambda per handler module named in functions/api/routes.ts and gives it exactly these capabilities,
 * each as env var + IAM grant. A module that uses `dispatcher` (directly or through `maintenanceDeps` /
 * `submitDeps`) needs the tier queue URLs at start, so it gets `sendToQueues`.
 *
 * A route whose handler is not listed here still deploys: its needs are derived from the route (see
 * `derivedNeeds`) and synth prints a warning, so a new route works at once and is reviewed here later.
 */
import { DOCS_SCRIPT_SOURCE } from '../functions/api/docs-page.ts';
import type { RouteDefinition } from '../functions/api/routes.ts';
import type { TableAccess } from './constructs/bindings.ts';
import type { PayloadAccess } from './constructs/payload-bucket.ts';

export interface HandlerNeeds {
  /** The jobs table (JOBS_TABLE, RETENTION_DAYS). */
  jobs?: TableAccess;
  /** Send job messages to the tier queues (QUEUE_URL_*). */
  sendToQueues?: boolean;
  /** Queue depths: sqs:GetQueueAttributes on the tier queues and DLQs (QUEUE_URL_*, DLQ_URL_*, TIER_MAX_CONCURRENCY). */
  queueStats?: boolean;
  /** Files from the project copied next to the function's bundle (paths relative to the project root). */
  files?: readonly string[];
  /** Files from the project gzipped next to the bundle as `<name>.gz` at build time, to serve pre-compressed. */
  gzippedFiles?: readonly string[];
  /** Read the cursor signing key from Secrets Manager (CURSOR_SECRET_ARN): handlers that page. */
  cursorSecret?: boolean;
  /** The schedules table (SCHEDULES_TABLE). */
  schedules?: TableAccess;
  /** The payload bucket of large params and results (PAYLOAD_BUCKET; constructs/payload-bucket.ts). */
  payloads?: PayloadAccess;
}

export const apiHandlerNeeds: Readonly<Record<string, HandlerNeeds>> = {
  health: {},
  openapi: {},
  docs: {},
  // Redoc's 1.1 MB script, compressed by the build rather than at every cold start (functions/api/docs-page.ts).
  'docs-asset': { gzippedFiles: [DOCS_SCRIPT_SOURCE] },
  'list-agents': {},
  'get-job': { jobs: 'read' },
  'list-jobs': { jobs: 'read', cursorSecret: true },
  'count-jobs': { jobs: 'read' },
  'get-job-params': { jobs: 'read', payloads: 'read' },
  'get-job-result': { jobs: 'read', payloads: 'read' },
  'submit-job': { jobs: 'readWrite', sendToQueues: true, payloads: 'submit' },
  'submit-agent-job': { jobs: 'readWrite', sendToQueues: true, payloads: 'submit' },
  'cancel-job': { jobs: 'readWrite' },
  'retry-job': { jobs: 'readWrite', sendToQueues: true },
  'queue-stats': { jobs: 'read', queueStats: true },
  'queue-metrics': { jobs: 'read' },
  // The sweep also starts the jobs of due schedules.
  'admin-recover': { jobs: 'readWrite', sendToQueues: true, schedules: 'readWrite' },
  'admin-cleanup': { jobs: 'readWrite', sendToQueues: true, payloads: 'cleanup' },
  'admin-dead': { jobs: 'read', cursorSecret: true },
  'admin-redrive': { jobs: 'readWrite', sendToQueues: true },
  // The stored tier states; the event source mappings are bound by the stack (tier-event-sources.ts).
  'admin-tiers': { jobs: 'readWrite' },
  // Webhooks: the queue and the KMS key are bound by infra/constructs/webhooks.ts.
  'create-webhook': { jobs: 'readWrite' },
  'list-webhooks': { jobs: 'read' },
  'delete-webhook': { jobs: 'readWrite' },
  'test-webhook': { jobs: 'readWrite' },
  'list-webhook-deliveries': { jobs: 'read' },
  'create-schedule': { schedules: 'readWrite' },
  'list-schedules': { schedules: 'read', cursorSecret: true },
  'get-schedule': { schedules: 'read' },
  'update-schedule': { schedules: 'readWrite' },
  'delete-schedule': { schedules: 'readWrite' },
  // Submits the job: the jobs table and the tier queues, as POST /jobs.
  'trigger-schedule': { schedules: 'readWrite', jobs: 'readWrite', sendToQueues: true },
};

/** Needs of a route whose handler is not listed: what its method and access level suggest. */
export function derivedNeeds(route: RouteDefinition): HandlerNeeds {
  if (route.access === 'public') return {};
  const stats = route.path.includes('stats') ? { queueStats: true } : {};
  if (route.method === 'GET') return { jobs: 'read', cursorSecret: true, ...stats };
  return { jobs: 'readWrite', sendToQueues: true, ...stats };
}

export function needsOf(route: RouteDefinition): { needs: HandlerNeeds; declared: boolean } {
  const declared = apiHandlerNeeds[route.handler];
  return declared ? { needs: declared, declared: true } : { needs: derivedNeeds(route), declared: false };
}
