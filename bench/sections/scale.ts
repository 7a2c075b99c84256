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
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { shardOf, toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import {
  ALL_SCOPE,
  statsDeltas,
  statsKey,
  userScope,
} from '../../functions/adapters/dynamodb/stats-items.ts';
import type { Job, JobStatus } from '../../functions/core/job.ts';
import { startSqsEmulator } from '../../functions/local/emulators/sqs-emulator.ts';
import { aJob as baseJob } from '../../test/support/job-factory.ts';
import { apiEvent, context, load, type Route, startHandlerEnvironment } from '../lib/in-process.ts';
import { pool } from '../lib/local-stack.ts';
import type { SectionContext } from '../lib/results.ts';
import { DYNAMODB_READS, diff, dynamo, SdkCounter, tagFunctionClients, total } from '../lib/sdk-counter.ts';
import { heading, num, table } from '../lib/table.ts';

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

/** A job in `status`, created up to 10 days ago (i spreads users, priorities and times). */
function aJob(status: JobStatus, now: number, i: number, overrides: Partial<Job> = {}): Job {
  const createdAt = now - (i % 10) * DAY - 60_000 - (i % 1000) * 1000;
  const at = (ms: number) => new Date(createdAt + ms).toISOString();
  const terminal = !['queued', 'running'].includes(status);
  return baseJob({
    id: randomUUID(),
    userId: `user-${i % USERS}`,
    priority: (i % 10) + 1,
    status,
    progress: { percent: terminal ? 100 : 0, stage: null, message: null },
    attempt: status === 'queued' ? 0 : 1,
    result: status === 'completed' ? { value: i } : null,
    error:
      status === 'failed' || status === 'dead' ? { code: 'demo', message: 'failed', retryable: false } : null,
    createdAt: at(0),
    queuedAt: at(0),
    dispatchedAt: at(0),
    startedAt: status === 'queued' ? null : at(1500),
    heartbeatAt: status === 'queued' ? null : at(1500),
    completedAt: terminal ? at(4000) : null,
    queueTimeMs: status === 'queued' ? null : 1500,
    executionTimeMs: terminal ? 2500 : null,
    seq: terminal ? 4 : 2,
    ...overrides,
  });
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

export async function run(ctx: SectionContext) {
  const small = ctx.quick ? 500 : 1000;
  const large = ctx.quick ? 10_000 : 100_000;
  const counter = new SdkCounter();
  counter.install();
  ctx.log('scale: starting DynamoDB Local and the SQS emulator');
  const env = await startHandlerEnvironment('scale', await startSqsEmulator({}));
  const loader = env.setupDynamo;
  counter.tag(loader, 'bench');
  try {
    const table = env.tables.Jobs as string;
    const routes = {
      'GET /queue/stats': await load<Route>('api/queue-stats'),
      'POST /admin/recover': await load<Route>('api/admin-recover'),
      'POST /admin/cleanup': await load<Route>('api/admin-cleanup'),
    };
    await tagFunctionClients(counter);

    const now = Date.now();
    const counters = new Counters();
    let loaded = 0;
    let loadMs = 0;
    const loadJobs = async (jobs: Job[]) => {
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
    await loadJobs([...active, ...terminalJobs(small - active.length, 100), ...firstExpired]);
    const smallRun = await measureRoutes(routes, counter);
    for (const job of firstExpired) counters.remove(job);
    ctx.log(`scale: loading up to ${large.toLocaleString('en-US')} jobs`);
    await loadJobs([...terminalJobs(large - small, 200_000), ...expired(20_000_000)]);
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
    const measures = (Object.keys(routes) as Array<keyof typeof routes>).map((route) => {
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
    await env.stop();
  }
}

async function measureRoutes(routes: Record<string, Route>, counter: SdkCounter) {
  type Measured = { readUnits: number; awsReadUnits: number; requests: number; body: string };
  const measured = {} as Record<'GET /queue/stats' | 'POST /admin/recover' | 'POST /admin/cleanup', Measured>;
  for (const [routeKey, route] of Object.entries(routes) as Array<[keyof typeof measured, Route]>) {
    const before = counter.snapshot();
    const [, path = '/'] = routeKey.split(' ');
    const event = apiEvent(routeKey, path, { userId: 'bench-admin', isAdmin: true });
    const result = await route.handler(event, context(routeKey));
    if (result.statusCode !== 200) throw new Error(`${routeKey}: ${result.statusCode} ${result.body}`);
    const window = diff(counter.snapshot(), before);
    measured[routeKey] = {
      readUnits: total(window, dynamo(DYNAMODB_READS), 'units'),
      awsReadUnits: total(window, dynamo(DYNAMODB_READS), 'awsUnits'),
      requests: total(window, (k) => k.source === 'functions'),
      body: result.body ?? '',
    };
  }
  return measured;
}

export type ScaleResult = Awaited<ReturnType<typeof run>>;

export function render(result: ScaleResult): string {
  const { small, large } = result.sizes;
  const label = (n: number) => n.toLocaleString('en-US');
  return [
    heading(`[scale] Scale check: read units with ${label(small)} vs ${label(large)} jobs in the table`),
    table(
      [
        'route',
        `RRU @${label(small)}`,
        `RRU @${label(large)}`,
        'ratio',
        `with AWS minimums @${label(small)}`,
        `@${label(large)}`,
        'ratio',
        'requests (both)',
      ],
      result.measures.map((m) => [
        m.route,
        num(m.small.readUnits, 1),
        num(m.large.readUnits, 1),
        m.small.readUnits > 0 ? num(m.large.readUnits / m.small.readUnits, 2) : '-',
        num(m.small.awsReadUnits, 1),
        num(m.large.awsReadUnits, 1),
        num(m.ratio, 2),
        m.small.requests === m.large.requests
          ? String(m.small.requests)
          : `${m.small.requests} → ${m.large.requests}`,
      ]),
    ),
    `Loaded ${label(large + 20)} items with BatchWriteItem at ${num(result.loadedPerSecond, 0)} jobs/s (${num(result.loadSeconds, 1)} s).`,
    ...result.checks.map((check) => `check: ${check}`),
  ].join('\n');
}
