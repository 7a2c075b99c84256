/**
 * The environment of the real-time functions (the WebSocket handlers and the notifier). Names match what
 * the CDK constructs set (infra/env-names.ts falls back to the same ones). Each config module reads what it
 * needs once, at load.
 */
import { ENV } from './config.ts';
import { requireEnv } from './env.ts';

export const REALTIME_ENV = {
  connectionsTable: 'CONNECTIONS_TABLE',
  /** Read by the message handler through the job store (config/store.ts). */
  jobsTable: ENV.jobsTable,
  /** https://{apiId}.execute-api.{region}.amazonaws.com/{stage}: the stage's callback URL. */
  wsManagementEndpoint: 'WS_MANAGEMENT_ENDPOINT',
} as const;

export const connectionsTableName = (env = process.env) => requireEnv(REALTIME_ENV.connectionsTable, env);
export const wsManagementEndpoint = (env = process.env) => requireEnv(REALTIME_ENV.wsManagementEndpoint, env);

/** How long a subscription may hold back the notifier while its snapshot is sent. */
export const PENDING_LEASE_MS = 10_000;
/** Posts in flight at once while one change fans out. */
export const POST_CONCURRENCY = 25;
