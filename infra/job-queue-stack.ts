/**
 * The whole service in one environment-agnostic stack: job store, tier queues, workers, HTTP API,
 * WebSocket progress API and maintenance schedules, wired by intent (see constructs/bindings.ts).
 */
import { Annotations, CfnOutput, Duration, Lazy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { routes as contractRoutes, type RouteDefinition } from '../functions/api/routes.ts';
import { TIERS } from '../functions/core/tiers.ts';
import { apiHandlerNeeds } from './api-access.ts';
import { JobQueueAlarms } from './constructs/alarms.ts';
import { addApiGatewayCloudWatchRole } from './constructs/api-gateway-account.ts';
import { bindQuotas, type JobsBinding } from './constructs/bindings.ts';
import type { DashboardHosting } from './constructs/dashboard-hosting.ts';
import { JobsHttpApi } from './constructs/http-api.ts';
import type { FunctionDefaults } from './constructs/job-function.ts';
import { bindJobMetrics, jobMetricWidgets } from './constructs/job-metrics.ts';
import { JobStore } from './constructs/job-store.ts';
import { JwtAuth } from './constructs/jwt-auth.ts';
import { Maintenance } from './constructs/maintenance.ts';
import { OperationsDashboard } from './constructs/operations-dashboard.ts';
import { PayloadBucket } from './constructs/payload-bucket.ts';
import { ProgressWebSocket } from './constructs/progress-websocket.ts';
import { bindTierEventSources } from './constructs/tier-event-sources.ts';
import { TierQueues } from './constructs/tier-queues.ts';
import { Webhooks } from './constructs/webhooks.ts';
import { WORKER_TIMEOUT, Workers, workerReservedConcurrency } from './constructs/workers.ts';
import { addDashboard } from './dashboard-wiring.ts';
import { deadLetterVisibilityTimeoutSeconds } from './function-settings.ts';
import { MIN_UNRESERVED_CONCURRENCY, reservedConcurrency } from './limits.ts';
import { connectionsTable, jobsTable, schedulesTable, type TableDefinition, tables } from './resources.ts';
import { type JobQueueSettings, type ResolvedSettings, resolveSettings } from './settings.ts';

/** Up to maxRetries (10) + 1 runs; fewer receives would dead-letter jobs that still have retries. */
const MIN_SAFE_RECEIVE_COUNT = 12;

export interface JobQueueStackProps extends StackProps {
  settings: JobQueueSettings;
  /** Table definitions; infra/resources.ts `tables` unless a test passes others. */
  tableDefinitions?: TableDefinition[];
  /** HTTP routes; functions/api/routes.ts `routes` unless a test passes others. */
  routes?: readonly RouteDefinition[];
  /**
   * The built dashboard (index.html and its files; infra/dashboard-assets.ts builds it for `cdk synth`).
   * Without it the dashboard's bucket holds only config.json, and the synth says so.
   */
  dashboardAssets?: string;
}

export class JobQueueStack extends Stack {
  public readonly settings: ResolvedSettings;
  public readonly store: JobStore;
  public readonly queues: TierQueues;
  public readonly workers: Workers;
  public readonly httpApi: JobsHttpApi;
  public readonly webSocket: ProgressWebSocket;
  public readonly maintenance: Maintenance;
  public readonly webhooks: Webhooks;
  public readonly auth: JwtAuth;
  public readonly dashboard: DashboardHosting;
  /** Params and results too large for the job item. */
  public readonly payloads: PayloadBucket;
  /** Absent with `-c alarms=false`. */
  public readonly alarms?: JobQueueAlarms;
  /** Absent with `-c operationsDashboard=false`. */
  public readonly operationsDashboard?: OperationsDashboard;
  /** The key that signs pagination cursors (read by the handlers that page, never in an environment). */
  public readonly cursorSecret: Secret;

  constructor(scope: Construct, id: string, props: JobQueueStackProps) {
    super(scope, id, props);
    const settings = resolveSettings(props.settings);
    this.settings = settings;
    const defaults: FunctionDefaults = {
      servicePrefix: `job-queue-${settings.stage}`,
      logLevel: settings.logLevel,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    };
    if (settings.maxReceiveCount < MIN_SAFE_RECEIVE_COUNT)
      Annotations.of(this).addWarning(
        `maxReceiveCount ${settings.maxReceiveCount} is below ${MIN_SAFE_RECEIVE_COUNT}: jobs with many retries may be dead-lettered before their retries run out.`,
      );

    this.store = new JobStore(this, 'JobStore', {
      definitions: props.tableDefinitions ?? tables,
      removalPolicy: settings.removalPolicy,
      deletionProtection: settings.deletionProtection,
    });
    const jobs: JobsBinding = { table: this.store.get(jobsTable.id), retentionDays: settings.retentionDays };

    this.queues = new TierQueues(this, 'TierQueues', {
      maxReceiveCount: settings.maxReceiveCount,
      consumerTimeout: WORKER_TIMEOUT,
      deadLetterVisibilityTimeout: Duration.seconds(deadLetterVisibilityTimeoutSeconds),
      removalPolicy: settings.removalPolicy,
    });

    this.workers = new Workers(this, 'Workers', {
      defaults,
      jobs,
      queues: this.queues,
      tierConcurrency: settings.tierConcurrency,
      reserveConcurrency: settings.reserveConcurrency,
    });

    this.auth = new JwtAuth(this, 'Auth', { settings: settings.auth, removalPolicy: settings.removalPolicy });

    this.cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'Key that signs the job queue API pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: settings.removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the cursor key only invalidates cursors in flight (clients restart their listing); it is rotated by hand, and new cold starts read the new value.',
    });

    this.httpApi = new JobsHttpApi(this, 'HttpApi', {
      defaults,
      routes: props.routes ?? contractRoutes,
      jobs,
      queues: this.queues,
      auth: this.auth,
      tierConcurrency: settings.tierConcurrency,
      corsOrigins: settings.corsOrigins,
      throttling: settings.throttling,
      authorizerCacheSeconds: settings.authorizerCacheSeconds,
      cursorSecret: this.cursorSecret,
      schedules: this.store.get(schedulesTable.id),
    });
    // The routes that submit jobs (and the trigger and sweep that start schedules' jobs) enforce the
    // unfinished-jobs quota and the reserved priorities.
    for (const module of ['submit-job', 'submit-agent-job', 'trigger-schedule', 'admin-recover']) {
      const handler = this.httpApi.handlers.get(module);
      if (handler) bindQuotas(handler, settings.quotas);
    }
    // Tier pause switches the worker's tier event source mappings.
    const tiersHandler = this.httpApi.handlers.get('admin-tiers');
    if (tiersHandler) bindTierEventSources(tiersHandler, this.workers.tierEventSources);

    if (settings.webSocketAccessLogs && settings.apiGatewayCloudWatchRole) addApiGatewayCloudWatchRole(this);
    this.webSocket = new ProgressWebSocket(this, 'WebSocket', {
      defaults,
      stageName: settings.stage,
      jobs,
      connectionsTable: this.store.get(connectionsTable.id),
      auth: this.auth,
      accessLogs: settings.webSocketAccessLogs,
      throttling: settings.throttling,
      reserveConcurrency: settings.reserveConcurrency,
    });

    // Connections per user ($connect) and subscriptions per connection (subscribe).
    bindQuotas(this.webSocket.connectHandler, settings.quotas);
    bindQuotas(this.webSocket.messageHandler, settings.quotas);

    this.maintenance = new Maintenance(this, 'Maintenance', {
      defaults,
      jobs,
      queues: this.queues,
      schedules: this.store.get(schedulesTable.id),
    });
    // The schedules' jobs are submitted under the same per-user quotas as POST /jobs.
    bindQuotas(this.maintenance.recoverFunction, settings.quotas);

    this.webhooks = new Webhooks(this, 'Webhooks', {
      defaults,
      jobs,
      apiHandlers: this.httpApi.handlers,
      streamConsumer: this.workers.dependencyResolver,
      maintenance: this.maintenance.recoverFunction,
      removalPolicy: settings.removalPolicy,
    });

    this.dashboard = addDashboard(this, {
      assetsDir: props.dashboardAssets,
      // Lazy: the payload bucket is made after the dashboard, whose log bucket it uses.
      payloadBucketDomain: Lazy.string({ produce: () => this.payloads.bucket.bucketRegionalDomainName }),
    });
    this.payloads = this.addPayloadBucket();

    // What the alarms and the operations dashboard watch; a new job-carrying function or stream consumer
    // joins here.
    const watched = {
      functions: {
        worker: this.workers.worker,
        dependencyResolver: this.workers.dependencyResolver,
        notifier: this.webSocket.notifier,
        recover: this.maintenance.recoverFunction,
      },
      streamConsumers: {
        dependencyResolver: this.workers.dependencyResolver,
        notifier: this.webSocket.notifier,
      },
      queues: this.queues,
      httpApi: this.httpApi.api,
    };
    // Job metrics (EMF) from the stream consumer and the notifier, one `service` per deployment.
    const jobMetrics = { service: defaults.servicePrefix, jobTypes: settings.observability.metricJobTypes };
    for (const fn of [this.workers.dependencyResolver, this.webSocket.notifier])
      bindJobMetrics(fn, jobMetrics);
    if (settings.observability.alarms)
      this.alarms = new JobQueueAlarms(this, 'Alarms', {
        settings: settings.alarms,
        jobMetricsService: jobMetrics.service,
        ...watched,
      });
    if (settings.observability.dashboard) {
      this.operationsDashboard = new OperationsDashboard(this, 'Operations', {
        ...(this.alarms && { alarms: this.alarms }),
        ...watched,
      });
      this.operationsDashboard.addSection(
        'Jobs',
        jobMetricWidgets(jobMetrics.service, { width: 8, height: 6 }),
      );
    }

    this.addOutputs();
    if (settings.reserveConcurrency) {
      const reserved = totalReservedConcurrency(settings);
      Annotations.of(this).addInfo(
        `Reserves ${reserved} concurrent Lambda executions: the account's concurrency quota must be at least ${reserved + MIN_UNRESERVED_CONCURRENCY} (AWS keeps ${MIN_UNRESERVED_CONCURRENCY} unreserved). New accounts may have less: request an increase, or deploy with -c reserveConcurrency=false and lower tier concurrency.`,
      );
    }
  }

  /** The payload bucket, bound to the API handlers that declare it (api-access.ts), the worker and cleanup. */
  private addPayloadBucket(): PayloadBucket {
    const payloads = new PayloadBucket(this, 'Payloads', {
      retentionDays: this.settings.retentionDays,
      accessLogs: this.dashboard.logBucket,
      removalPolicy: this.settings.removalPolicy,
    });
    for (const [module, fn] of this.httpApi.handlers) {
      const access = apiHandlerNeeds[module]?.payloads;
      if (access) payloads.bind(fn, access);
    }
    payloads.bind(this.workers.worker, 'run');
    payloads.bind(this.maintenance.cleanupFunction, 'cleanup');
    return payloads;
  }

  private addOutputs(): void {
    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.dashboard.url,
      description: 'The dashboard (CloudFront)',
    });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.webSocket.url,
      description: 'WebSocket URL (append ?token=<JWT>)',
    });
    for (const [id, table] of Object.entries(this.store.tables))
      new CfnOutput(this, `${id}TableName`, { value: table.tableName });
    for (const tier of TIERS) {
      const name = tier.charAt(0).toUpperCase() + tier.slice(1);
      new CfnOutput(this, `${name}QueueName`, { value: this.queues.queues[tier].queueName });
      new CfnOutput(this, `${name}DeadLetterQueueName`, {
        value: this.queues.deadLetterQueues[tier].queueName,
      });
    }
    if (this.auth.secret)
      new CfnOutput(this, 'JwtSecretArn', {
        value: this.auth.secret.secretArn,
        description: 'HS256 signing secret (read it to mint tokens)',
      });
  }
}

/** Every reservation the stack makes (0 without `reserveConcurrency`). */
export function totalReservedConcurrency(settings: ResolvedSettings): number {
  if (!settings.reserveConcurrency) return 0;
  return (
    workerReservedConcurrency(settings.tierConcurrency) +
    reservedConcurrency.dependencyResolver +
    reservedConcurrency.notifier
  );
}
