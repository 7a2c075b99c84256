/**
 * Section 6: do the periodic and statistical reads stay flat as the table grows? The read units of
 * `GET /queue/stats`, `POST /admin/recover` (the every-minute maintenance) and `POST /admin/cleanup` are
 * measured with 1,000 and then 100,000 jobs in the table; the ratio should be about 1.
 *
 * The jobs are loaded fast, with BatchWriteItem of items built by the real item mapper (toItem), plus the
 * statistics counter items (STATS#…) they imply, so the stats answer is also checked against the count.
 * The table holds mostly finished jobs, recent enough not to be cleaned, and a fixed set that both runs
 * read: 20 running jobs started an hour ago but heartbeating (the sweep reads and keeps them; 5 are past
 * their deadline, which the stats count), 20 freshly queued ones, and, before each measurement, 10
 * finished jobs past the 30-day retention that cleanup deletes. The route handlers are invoked directly
 * with the events API Gateway would send (admin caller), against DynamoDB Local and the SQS emulator.
 */
import { randomUUID } from 'node:crypto';
import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { shardOf, toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import {
  ALL_SCOPE,
  statsDeltas,
  statsKey,
  userScope,
} from '../../functions/adapters/dynamodb/stats-items.ts';
import type { Job, JobStatus } from '../../functions/core/job.ts';
import { tierForPriority } from '../../functions/core/tiers.ts';
import { startDynamoDbLocal } from '../../functions/local/emulators/dynamodb-local.ts';
import { startSqsEmulator } from '../../functions/local/emulators/sqs-emulator.ts';
import { lambdaContext } from '../../functions/local/lambda-context.ts';
import { LOCAL_CREDENTIALS as credentials, LOCAL_REGION as region } from '../../functions/local/local-aws.ts';
import { provisionQueues, provisionTables } from '../../functions/local/provision.ts';
import { pool } from '../lib/local-stack.ts';
import type { ScaleMeasure, ScaleResult, SectionContext } from '../lib/results.ts';
import { DYNAMODB_READS, diff, SdkCounter, tagFunctionClients, total } from '../lib/sdk-counter.ts';

const USERS = 50;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TERMINAL: JobStatus[] = [
  'completed',
  'completed',
  'completed',
  'completed',
  'completed',
  'completed',
  'failed',
  'cancelled',
  'dead',
];

function aJob(status: JobStatus, now: number, i: number, overrides: Partial<Job> = {}): Job {
  const priority = (i % 10) + 1;
  const createdAt = new Date(now - (i % 10) * DAY - 60_000 - (i % 1000) * 1000).toISOString();
  const started = new Date(Date.parse(createdAt) + 1500).toISOString();
  const ended = new Date(Date.parse(createdAt) + 4000).toISOString();
  const terminal = ['completed', 'failed', 'cancelled', 'dead'].includes(status);
  return {
    id: randomUUID(),
    userId: `user-${i % USERS}`,
    type: 'demo',
    command: 'echo',
    params: { value: i },
    priority,
    tier: tierForPriority(priority),
    status,
    progress: { percent: terminal ? 100 : 0, stage: null, message: null },
    attempt: status === 'queued' ? 0 : 1,
    maxRetries: 3,
    retryDelaySeconds: 30,
    timeoutSeconds: 300,
    result: status === 'completed' ? { value: i } : null,
    error:
      status === 'failed' || status === 'dead' ? { code: 'demo', message: 'failed', retryable: false } : null,
    runAt: null,
    deadline: null,
    dependsOn: [],
    idempotencyKey: null,
    createdAt,
    queuedAt: createdAt,
    startedAt: status === 'queued' ? null : started,
    heartbeatAt: status === 'queued' ? null : started,
    completedAt: terminal ? ended : null,
    queueTimeMs: status === 'queued' ? null : 1500,
    executionTimeMs: terminal ? 2500 : null,
    seq: terminal ? 4 : 2,
    epoch: 1,
    dispatchedAt: createdAt,
    ...overrides,
  };
}

/** Counter totals per `STATS#scope / S#shard` item, kept in step with what is loaded. */
class Counters {
  readonly #items = new Map<string, { scope: string; shard: number; values: Record<string, number> }>();
  add(job: Job): void {
    this.#apply(job, statsDeltas(undefined, job));
  }
  /** What cleanup's delete transaction subtracts. */
  remove(job: Job): void {
    this.#apply(job, statsDeltas(job, undefined));
  }
  #apply(job: Job, deltas: Record<string, number>): void {
    for (const scope of [userScope(job.userId), ALL_SCOPE]) {
      const shard = shardOf(job.id);
      const key = `${scope}/${shard}`;
      const item = this.#items.get(key) ?? { scope, shard, values: {} };
      for (const [name, value] of Object.entries(deltas))
        item.values[name] = (item.values[name] ?? 0) + value;
      this.#items.set(key, item);
    }
  }
  items(): Array<Record<string, AttributeValue>> {
    return [...this.#items.values()].map(({ scope, shard, values }) =>
      marshall({ ...statsKey(scope, shard), ...values }),
    );
  }
}

export async function run(ctx: SectionContext): Promise<ScaleResult> {
  const small = ctx.quick ? 500 : 1000;
  const large = ctx.quick ? 10_000 : 100_000;
  const counter = new SdkCounter();
  counter.install();
  ctx.log('scale: starting DynamoDB Local and the SQS emulator');
  const [dynamodb, sqs] = await Promise.all([startDynamoDbLocal({}), startSqsEmulator({})]);
  const loader = new DynamoDBClient({ region, credentials, endpoint: dynamodb.endpoint, maxAttempts: 10 });
  const setupSqs = new SQSClient({ region, credentials, endpoint: sqs.endpoint });
  counter.tag(loader, 'bench');
  try {
    const tables = await provisionTables(loader, 'scale');
    const queues = await provisionQueues(setupSqs, 'scale');
    const table = tables.Jobs as string;
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      JOBS_TABLE: table,
      QUEUE_URL_CRITICAL: queues.urls.critical,
      QUEUE_URL_HIGH: queues.urls.high,
      QUEUE_URL_NORMAL: queues.urls.normal,
      QUEUE_URL_LOW: queues.urls.low,
      DLQ_URL_CRITICAL: queues.deadLetterUrls.critical,
      DLQ_URL_HIGH: queues.deadLetterUrls.high,
      DLQ_URL_NORMAL: queues.deadLetterUrls.normal,
      DLQ_URL_LOW: queues.deadLetterUrls.low,
      AUTH_MODE: 'hs256',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
      LOG_LEVEL: 'error',
    });
    type Route = {
      handler: (
        event: APIGatewayProxyEventV2,
        context: Context,
      ) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    const routes = {
      'GET /queue/stats': (await import('../../functions/handlers/api/queue-stats.ts')) as Route,
      'POST /admin/recover': (await import('../../functions/handlers/api/admin-recover.ts')) as Route,
      'POST /admin/cleanup': (await import('../../functions/handlers/api/admin-cleanup.ts')) as Route,
    };
    await tagFunctionClients(counter);

    const now = Date.now();
    const counters = new Counters();
    let loaded = 0;
    let loadMs = 0;
    const load = async (jobs: Job[]) => {
      const started = performance.now();
      for (const job of jobs) counters.add(job);
      const items = [...jobs.map((job) => toItem(job, { retentionDays: 30 })), ...counters.items()];
      const batches: Array<Array<Record<string, AttributeValue>>> = [];
      for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
      await pool(batches, 16, async (batch) => {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const result = await loader.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      });
      loaded += jobs.length;
      loadMs += performance.now() - started;
    };
    const terminalJobs = (count: number, offset: number) =>
      Array.from({ length: count }, (_, i) =>
        aJob(TERMINAL[(offset + i) % TERMINAL.length] as JobStatus, now, offset + i),
      );
    const expired = (offset: number) =>
      Array.from({ length: 10 }, (_, i) => aJob('completed', now - 40 * DAY, offset + i));
    const active = [
      ...Array.from({ length: 20 }, (_, i) =>
        aJob('running', now, i, {
          createdAt: new Date(now - HOUR - 5000).toISOString(),
          queuedAt: new Date(now - HOUR - 5000).toISOString(),
          startedAt: new Date(now - HOUR).toISOString(),
          // Alive: a heartbeat in the future stays fresh for the whole run.
          heartbeatAt: new Date(now + DAY).toISOString(),
          ...(i < 5 && { deadline: new Date(now - HOUR / 2).toISOString() }),
        }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        aJob('queued', now, 20 + i, {
          createdAt: new Date(now).toISOString(),
          queuedAt: new Date(now).toISOString(),
          dispatchedAt: new Date(now).toISOString(),
        }),
      ),
    ];

    ctx.log(`scale: loading ${small.toLocaleString('en-US')} jobs`);
    const firstExpired = expired(10_000_000);
    await load([...active, ...terminalJobs(small - active.length, 100), ...firstExpired]);
    const smallRun = await measureRoutes(routes, counter);
    for (const job of firstExpired) counters.remove(job);
    ctx.log(`scale: loading up to ${large.toLocaleString('en-US')} jobs`);
    await load([...terminalJobs(large - small, 200_000), ...expired(20_000_000)]);
    const largeRun = await measureRoutes(routes, counter);

    const checks: string[] = [];
    for (const [run, size] of [
      [smallRun, small],
      [largeRun, large],
    ] as const) {
      const stats = JSON.parse(run['GET /queue/stats'].body) as { total: number; pastDeadline: number };
      // The 10 expired jobs are in the counters until cleanup (measured after the stats) deletes them.
      checks.push(
        `${size.toLocaleString('en-US')} jobs: stats total ${stats.total} (expected ${size + 10}), pastDeadline ${stats.pastDeadline} (expected 5), recover ${run['POST /admin/recover'].body}, cleanup ${run['POST /admin/cleanup'].body} (expected 10 deleted)`,
      );
    }
    const measures: ScaleMeasure[] = (Object.keys(routes) as Array<keyof typeof routes>).map((route) => {
      const a = smallRun[route];
      const b = largeRun[route];
      return {
        route,
        small: { readUnits: a.readUnits, awsReadUnits: a.awsReadUnits, requests: a.requests },
        large: { readUnits: b.readUnits, awsReadUnits: b.awsReadUnits, requests: b.requests },
        ratio: b.awsReadUnits / a.awsReadUnits,
      };
    });
    return {
      sizes: { small, large },
      loadSeconds: loadMs / 1000,
      loadedPerSecond: loaded / (loadMs / 1000),
      measures,
      checks,
    };
  } finally {
    loader.destroy();
    setupSqs.destroy();
    await Promise.all([dynamodb.stop(), sqs.stop()]);
  }
}

async function measureRoutes(
  routes: Record<
    'GET /queue/stats' | 'POST /admin/recover' | 'POST /admin/cleanup',
    {
      handler: (
        event: APIGatewayProxyEventV2,
        context: Context,
      ) => Promise<APIGatewayProxyStructuredResultV2>;
    }
  >,
  counter: SdkCounter,
) {
  const measured = {} as Record<
    keyof typeof routes,
    { readUnits: number; awsReadUnits: number; requests: number; body: string }
  >;
  for (const [routeKey, route] of Object.entries(routes) as Array<
    [keyof typeof routes, (typeof routes)[keyof typeof routes]]
  >) {
    const before = counter.snapshot();
    const result = await route.handler(adminEvent(routeKey), lambdaContext(routeKey, 29_000));
    if (result.statusCode !== 200) throw new Error(`${routeKey}: ${result.statusCode} ${result.body}`);
    const window = diff(counter.snapshot(), before);
    const reads = (k: { source: string; service: string; operation: string }) =>
      k.source === 'functions' && k.service === 'DynamoDB' && DYNAMODB_READS.has(k.operation);
    measured[routeKey] = {
      readUnits: total(window, reads, 'units'),
      awsReadUnits: total(window, reads, 'awsUnits'),
      requests: total(window, (k) => k.source === 'functions'),
      body: result.body ?? '',
    };
  }
  return measured;
}

function adminEvent(routeKey: string): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { lambda: { userId: 'bench-admin', isAdmin: true } },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
  };
}
