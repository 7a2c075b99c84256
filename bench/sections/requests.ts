/**
 * Section 1: billable AWS requests per job, counted by an SDK middleware on every client while jobs run
 * end to end on the local stack.
 *
 * Each job shape runs in isolation: N jobs of one shape are submitted over HTTP, the bench waits until all
 * are terminal and the stack is quiet again (no function request and no stream record for 1.5 s), and the
 * counters' difference over that window is divided by N. The idle background (the pollers' empty long
 * polls, the stream readers' empty reads) is measured first over a window of its own and reported apart,
 * as is one maintenance sweep (every minute on AWS) and one cleanup sweep (daily), which the bench runs by
 * itself: the stack's own schedule is pushed out to an hour so it never lands in a window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import { toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import { isTerminal } from '../../functions/core/job.ts';
import { invocationCounts } from '../../functions/local/invoke-with-timeout.ts';
import { FULL_SWEEP_EVERY_MINUTES } from '../../functions/usecases/sweep-plan.ts';
import { streamEventSources } from '../../infra/function-settings.ts';
import { TIERS, tierDefaults } from '../../infra/resources.ts';
import { webhookDeliveryEventSource } from '../../infra/webhook-settings.ts';
import { itemBytes } from '../lib/dynamo-pricing.ts';
import {
  BENCH_USER,
  benchDynamo,
  httpClient,
  JWT_SECRET,
  openSocket,
  startBenchStack,
  submit,
  type WsFrame,
  waitForJobs,
} from '../lib/local-stack.ts';
import type { SectionContext } from '../lib/results.ts';
import {
  type Counts,
  DYNAMODB_READS,
  DYNAMODB_WRITES,
  diff,
  dynamo,
  parseKey,
  SdkCounter,
  scale,
  tagFunctionClients,
  total,
} from '../lib/sdk-counter.ts';
import { summarize } from '../lib/stats.ts';
import { type Cell, heading, num, table } from '../lib/table.ts';
import { shortenWorkerBudget } from '../lib/worker-budget.ts';

/** Connections opened, client messages in, frames received, connection minutes (rounded up per connection). */
interface WebSocketUse {
  connections: number;
  clientMessages: number;
  framesReceived: number;
  connectionMinutes: number;
}

/** The functions reading the jobs stream (each reads every record). */
export const STREAM_CONSUMERS = Object.values(streamEventSources).map((source) => source.module as string);

/** Time between two submissions of a shape's jobs. */
const ARRIVAL_MS = 250;

/** One job shape: its POST /jobs body, jobs per run (full, quick), whether a WebSocket client watches each
 * job, the agent's own run time and progress calls per job, and the runs each job must end with. */
interface ShapeSpec {
  shape: string;
  description: string;
  jobs: [number, number];
  body: Record<string, unknown>;
  watched: boolean;
  agentSecondsPerJob: number;
  progressUpdates: number;
  runs: number;
  /** Durable steps per job (the Step Functions model gives each a Task state). */
  steps?: number;
  /** A Lambda time limit of its own for this shape's worker invocations (lib/worker-budget.ts). */
  workerBudgetMs?: number;
}

const SHAPES: ShapeSpec[] = [
  {
    shape: 'demo/echo',
    description: 'echo, unwatched',
    jobs: [40, 10],
    body: { command: 'echo', params: { value: 42 } },
    watched: false,
    agentSecondsPerJob: 0,
    progressUpdates: 0,
    runs: 1,
  },
  {
    shape: 'demo/sleep',
    description: 'sleep 10 s in 10 progress steps, one WebSocket client watching it',
    jobs: [10, 5],
    body: { command: 'sleep', params: { seconds: 10, steps: 10 } },
    watched: true,
    agentSecondsPerJob: 10,
    progressUpdates: 11,
    runs: 1,
  },
  {
    shape: 'demo/fail',
    description: 'fails twice (transient), succeeds on the third run; retryDelaySeconds 1',
    jobs: [20, 6],
    body: { command: 'fail', params: { times: 2 }, retryDelaySeconds: 1 },
    watched: false,
    agentSecondsPerJob: 0,
    progressUpdates: 0,
    runs: 3,
  },
  {
    shape: 'demo/steps',
    description: '5 durable steps of 0 s (one step-record write each), unwatched',
    jobs: [20, 6],
    body: { command: 'steps', params: { steps: 5, secondsPerStep: 0 } },
    watched: false,
    agentSecondsPerJob: 0,
    progressUpdates: 10,
    runs: 1,
    steps: 5,
  },
  {
    shape: 'demo/steps continued',
    description:
      '5 durable steps of 1 s, unwatched; these jobs get a 4.4 s Lambda time limit (as WORKER_BUDGET_SECONDS, for this shape only): an invocation runs two steps, then hands the job on (2 continuations)',
    jobs: [10, 4],
    body: { command: 'steps', params: { steps: 5, secondsPerStep: 1 } },
    watched: false,
    agentSecondsPerJob: 5,
    progressUpdates: 10,
    runs: 1,
    steps: 5,
    // 4.4 s less a tenth kept for recording (3.96 s): a step starts while the time left is at least the
    // longest step so far + 1 s (about 2 s), so the second 1-s step starts if claim and writes took less
    // than ~0.9 s, and a third never does (3.96 - 2 s of steps < 2 s): exactly two steps per invocation.
    workerBudgetMs: 4400,
  },
];

/** Function requests and stream records: the signs that the stack is still working on something. */
const activity = (counts: Counts) =>
  total(counts, (key) => key.source === 'functions') +
  total(counts, (key) => key.source === 'stream', 'items') +
  total(counts, (key) => key.source === 'event-source', 'items');

async function quiesce(counter: SdkCounter, quietMs = 1500, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = activity(counter.snapshot());
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if (Date.now() > deadline) throw new Error('the stack did not quiesce');
    await sleep(250);
    const now = activity(counter.snapshot());
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

export async function run(ctx: SectionContext) {
  const counter = new SdkCounter();
  counter.install();
  counter.priceWrites();
  ctx.log('requests: starting the local stack (DynamoDB Local in memory, SQS emulator)');
  const bench = await startBenchStack();
  const { stack } = bench;
  await tagFunctionClients(counter);
  const db = benchDynamo(stack.dynamodbEndpoint);
  counter.tag(db, 'bench');
  const jobsTable = stack.tables.Jobs as string;

  try {
    // Idle: the pollers' long polls and the stream readers' reads, with no jobs at all.
    await sleep(3000);
    // Two long-poll periods (20 s each), so every poll loop's empty receives are in the window.
    const idleSeconds = ctx.quick ? 20 : 40;
    ctx.log(`requests: measuring the idle background for ${idleSeconds} s`);
    const idleStart = counter.snapshot();
    await sleep(idleSeconds * 1000);
    const idle = scale(diff(counter.snapshot(), idleStart), 1 / idleSeconds);

    const results = [];
    for (const spec of SHAPES) {
      const n = spec.jobs[ctx.quick ? 1 : 0];
      ctx.log(`requests: ${n} × ${spec.shape} (${spec.description})`);
      // Each shape as a user of its own: a watched shape's watch mark (functions/usecases/realtime/
      // watched-users.ts) must not make the notifier look for subscribers of the unwatched shapes' jobs.
      const user = spec.shape.replace('demo/', '').replace(/[^a-z0-9]+/g, '-');
      const token = await signToken(JWT_SECRET, { sub: `${BENCH_USER}-${user}` });
      const http = httpClient(stack.httpUrl, token);
      const drivers = { counter, http, db, jobsTable, wsUrl: stack.wsUrl, token };
      results.push(await runShape(spec, n, drivers, idle));
    }

    // Maintenance sweeps and one cleanup sweep, as EventBridge would invoke them (table holds the jobs above).
    // Longer than the stream consumer's 2 s batching window: its last batch is not counted as a sweep's.
    await quiesce(counter, 4000);
    const measure = async (sweep: () => Promise<unknown>) => {
      const before = counter.snapshot();
      const t0 = performance.now();
      await sweep();
      return { ms: performance.now() - t0, counts: diff(counter.snapshot(), before) };
    };
    // The every-minute sweep reads everything once every FULL_SWEEP_EVERY_MINUTES minutes and otherwise
    // skips what the counters show empty (functions/usecases/sweep-plan.ts): both kinds are measured.
    const sweep = await maintenanceSweep();
    const usual = await measure(() => sweep(false));
    const full = await measure(() => sweep(true));
    const { handler: cleanupHandler } = await import('../../functions/handlers/maintenance/cleanup.ts');
    const cleanupRun = await measure(() => cleanupHandler());
    const [recover, recoverMs, cleanup, cleanupMs] = [
      usual.counts,
      usual.ms,
      cleanupRun.counts,
      cleanupRun.ms,
    ];

    // One loop per unit of MaximumConcurrency of each SQS event source running while idle: the tier
    // queues (the webhook delivery queue's runs only while a webhook exists, and the bench registers none;
    // the dead-letter queues have none: the maintenance run reads them).
    const pollLoops =
      TIERS.reduce((sum, tier) => sum + tierDefaults[tier].maxConcurrency, 0) +
      (webhookDeliveryEventSource.enabled === false ? 0 : webhookDeliveryEventSource.maxConcurrency);
    return {
      idle: { windowSeconds: idleSeconds, perSecond: idle, pollLoops },
      maintenance: {
        recover,
        recoverMs,
        fullRecover: full.counts,
        fullRecoverMs: full.ms,
        fullSweepEveryMinutes: FULL_SWEEP_EVERY_MINUTES,
        cleanup,
        cleanupMs,
      },
      shapes: results,
      errors: bench.errors.map((error) => (error instanceof Error ? error.message : String(error))),
    };
  } finally {
    db.destroy();
    await bench.stop();
  }
}

/**
 * The scheduled recover handler's sweep (functions/handlers/maintenance/recover.ts: the same wiring),
 * with a clock shifted to a minute that does (`full`) or does not read everything; the shift is under ten
 * minutes, which changes nothing for the finished jobs the table holds here.
 */
async function maintenanceSweep() {
  const { scheduledSweep: sweep } = await import('../../functions/usecases/scheduled-sweep.ts');
  const { maintenanceDeps } = await import('../../functions/wiring/maintenance-deps.ts');
  const { scheduleRunDeps } = await import('../../functions/wiring/schedule-run-deps.ts');
  const { deadLetterQueues } = await import('../../functions/wiring/dead-letter-queues.ts');
  const { deliverySourceDeps } = await import('../../functions/wiring/webhook-delivery-source.ts');
  return (full: boolean) => {
    const minute = Math.floor(Date.now() / 60_000);
    const phase = minute % FULL_SWEEP_EVERY_MINUTES;
    const target = full ? 0 : 1;
    const shiftMs = ((target - phase + FULL_SWEEP_EVERY_MINUTES) % FULL_SWEEP_EVERY_MINUTES) * 60_000;
    return sweep({
      ...maintenanceDeps,
      clock: { now: () => new Date(Date.now() + shiftMs) },
      schedules: scheduleRunDeps,
      deadLetters: deadLetterQueues,
      webhookDeliveries: deliverySourceDeps,
    });
  };
}

interface Drivers {
  counter: SdkCounter;
  http: ReturnType<typeof httpClient>;
  db: ReturnType<typeof benchDynamo>;
  jobsTable: string;
  wsUrl: string;
  token: string;
}

async function runShape(spec: ShapeSpec, n: number, drivers: Drivers, idle: Counts) {
  const { counter, http } = drivers;
  // A shape runs alone (the stack is quiet before and after it): every job its window sees is its own.
  let running = true;
  if (spec.workerBudgetMs !== undefined) await shortenWorkerBudget(() => running, spec.workerBudgetMs);
  const ws: WebSocketUse = { connections: 0, clientMessages: 0, framesReceived: 0, connectionMinutes: 0 };
  let httpRequests = 0;
  const before = counter.snapshot();
  const invokedBefore = new Map(invocationCounts);
  const started = performance.now();

  // Jobs arrive one every ARRIVAL_MS without waiting for each other: at that rate a short job's changes
  // reach the stream on their own, so stream batches (notifier and resolver invocations) are not shared
  // between jobs more than a lightly loaded deployment would share them.
  const ids = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await sleep(i * ARRIVAL_MS);
      httpRequests++;
      const job = await submit(http, { type: 'demo', ...spec.body });
      if (spec.watched) await watch(drivers, job.id, ws);
      return job.id;
    }),
  );
  const jobs = await waitForJobs(
    drivers.db,
    drivers.jobsTable,
    ids,
    (job) => isTerminal(job.status),
    180_000,
  );
  await quiesce(counter);
  running = false;
  const windowSeconds = (performance.now() - started) / 1000;
  const window = diff(counter.snapshot(), before);
  const invoked = (module: string) => (invocationCounts.get(module) ?? 0) - (invokedBefore.get(module) ?? 0);

  const statuses: Record<string, number> = {};
  for (const job of jobs) statuses[job.status] = (statuses[job.status] ?? 0) + 1;
  const unexpected = jobs.filter((job) => job.status !== 'completed' || job.attempt !== spec.runs);
  if (unexpected.length > 0)
    throw new Error(
      `${spec.shape}: ${unexpected.length} job(s) ended unexpectedly, e.g. ${JSON.stringify(unexpected[0])}`,
    );

  const perJob = scale(window, 1 / n);
  const sizes = jobs.map((job) => itemBytes(toItem(job, { retentionDays: 30 })));
  const deliveries = total(
    window,
    (k) => k.source === 'event-source' && k.operation === 'ReceiveMessage',
    'items',
  );
  const emptyStreamReads = total(
    window,
    (k) => k.source === 'stream' && k.operation === 'GetRecords',
    'empty',
  );
  // Every stream consumer (infra/function-settings.ts) reads the jobs stream with its own batching window
  // and filter: its invocations are counted where the local runtime starts them (invocationCounts).
  const emptyReceives = total(
    window,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
    'empty',
  );
  const idleReceiveRate = total(
    idle,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
  );
  return {
    shape: spec.shape,
    description: spec.description,
    jobs: n,
    windowSeconds,
    statuses,
    attempts: jobs.reduce((sum, job) => sum + job.attempt, 0) / n,
    steps: spec.steps ?? 0,
    continuations: jobs.reduce((sum, job) => sum + (job.continuations ?? 0), 0) / n,
    executionMs: jobs.reduce((sum, job) => sum + (job.executionTimeMs ?? 0), 0) / n,
    agentSecondsPerJob: spec.agentSecondsPerJob,
    itemBytes: summarize(sizes).median,
    progressUpdates: spec.progressUpdates,
    perJob,
    httpRequests: httpRequests / n,
    websocket: {
      connections: ws.connections / n,
      clientMessages: ws.clientMessages / n,
      framesReceived: ws.framesReceived / n,
      connectionMinutes: ws.connectionMinutes / n,
    },
    invocations: {
      authorizer: httpRequests / n,
      'api/submit-job': httpRequests / n,
      worker: deliveries / n,
      ...Object.fromEntries(STREAM_CONSUMERS.map((module) => [module, invoked(module) / n])),
      'ws/authorizer': ws.connections / n,
      'ws/connect': ws.connections / n,
      'ws/message': ws.clientMessages / n,
      'ws/disconnect': ws.connections / n,
    },
    background: {
      emptyReceives,
      idleReceivesExpected: idleReceiveRate * windowSeconds,
      emptyStreamReads,
    },
  };
}

/** One client follows one job: connect, subscribe, read frames until the job ends, disconnect. */
async function watch(drivers: Drivers, jobId: string, ws: WebSocketUse): Promise<void> {
  let resolveEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    resolveEnd = resolve;
  });
  const onFrame = (frame: WsFrame) => {
    ws.framesReceived++;
    if (frame.job?.id === jobId && isTerminal(frame.job.status)) resolveEnd();
  };
  const openedAt = Date.now();
  const socket = await openSocket(drivers.wsUrl, drivers.token, onFrame);
  ws.connections++;
  socket.send({ action: 'subscribe', jobId });
  ws.clientMessages++;
  const timeout = setTimeout(resolveEnd, 120_000);
  await ended;
  clearTimeout(timeout);
  await socket.close();
  ws.connectionMinutes += Math.ceil((Date.now() - openedAt) / 60_000);
}

export type RequestsResult = Awaited<ReturnType<typeof run>>;
export type ShapeResult = RequestsResult['shapes'][number];

/** The functions' SQS calls, plus the event source's receive per delivered message and its deletes. */
export const sqsRequests = (c: Counts) =>
  total(c, (k) => k.source === 'functions' && k.service === 'SQS') +
  total(c, (k) => k.source === 'event-source') -
  total(c, (k) => k.source === 'event-source', 'empty');

export const invocationsOf = (shape: ShapeResult) =>
  Object.values(shape.invocations).reduce((a, b) => a + b, 0);

/** Per-job rows of the billable requests: the functions' calls and the SQS event source's work per message. */
function requestRows(shape: ShapeResult): Cell[][] {
  const rows: Cell[][] = [];
  for (const [key, t] of Object.entries(shape.perJob).sort(([a], [b]) => a.localeCompare(b))) {
    const { source, service, operation } = parseKey(key);
    if (source !== 'functions' && source !== 'event-source') continue;
    const receive = operation.startsWith('ReceiveMessage');
    // Receives: only those that delivered a message are the job's; the empty ones are the idle background.
    const calls = receive ? t.calls - t.empty : t.calls;
    if (calls === 0) continue;
    const db = service === 'DynamoDB';
    const read = DYNAMODB_READS.has(operation);
    rows.push([
      source === 'functions' ? 'function' : 'event source',
      service,
      receive ? `${operation} (delivering)` : operation,
      num(calls, 2),
      db ? `${num(t.awsUnits, 2)} ${read ? 'RRU' : 'WRU'}` : '',
      db && !read ? num(t.awsIndexUnits, 2) : '',
      db ? `${num(t.units, 2)}${t.indexUnits > 0 ? ` (GSI ${num(t.indexUnits, 2)})` : ''}` : '',
    ]);
  }
  return rows;
}

export function render(result: RequestsResult): string {
  const { shapes } = result;
  const row = (label: string, f: (s: ShapeResult) => number | string, digits = 2): Cell[] => [
    label,
    ...shapes.map((s) => {
      const value = f(s);
      return typeof value === 'number' ? num(value, digits) : value;
    }),
  ];
  const db = (s: ShapeResult, ops: Set<string>, field: 'calls' | 'units' | 'awsUnits' | 'awsIndexUnits') =>
    total(s.perJob, dynamo(ops), field);
  const out = [
    heading('[requests] Billable AWS requests per job (local stack, SDK middleware on every client)'),
    table(
      ['per job', ...shapes.map((s) => s.shape)],
      [
        row('jobs run / window', (s) => `${s.jobs} / ${num(s.windowSeconds, 1)} s`),
        row('runs per job', (s) => s.attempts),
        row('durable steps / continuations per job', (s) =>
          s.steps > 0 ? `${s.steps} / ${num(s.continuations ?? 0, 2)}` : '-',
        ),
        row('HTTP API requests', (s) => s.httpRequests),
        row('Lambda invocations', invocationsOf),
        row('SQS requests (functions + event source per delivery)', (s) => sqsRequests(s.perJob)),
        row('DynamoDB read requests', (s) => db(s, DYNAMODB_READS, 'calls')),
        row('DynamoDB read units (AWS rules)', (s) => db(s, DYNAMODB_READS, 'awsUnits')),
        row('DynamoDB read units (DynamoDB Local)', (s) => db(s, DYNAMODB_READS, 'units')),
        row('DynamoDB write requests', (s) => db(s, DYNAMODB_WRITES, 'calls')),
        row('DynamoDB write units (AWS rules)', (s) => db(s, DYNAMODB_WRITES, 'awsUnits')),
        row('  of which index entries (AWS rules)', (s) => db(s, DYNAMODB_WRITES, 'awsIndexUnits')),
        row('DynamoDB write units (DynamoDB Local)', (s) => db(s, DYNAMODB_WRITES, 'units')),
        row('Management API posts (frames out)', (s) =>
          total(s.perJob, (k) => k.operation === 'PostToConnection'),
        ),
        row('WebSocket client messages (in)', (s) => s.websocket.clientMessages),
        row(
          'Stream records read (free)',
          (s) =>
            total(s.perJob, (k) => k.source === 'stream' && k.operation === 'GetRecords', 'items') /
            STREAM_CONSUMERS.length,
        ),
      ],
    ),
  ];
  for (const s of shapes) {
    const statuses = Object.entries(s.statuses).map(([status, count]) => `${count} ${status}`);
    out.push(
      `\n${s.shape}: ${s.description} (${s.jobs} jobs, ${statuses.join(', ')}; a finished job's item is ${num(s.itemBytes, 0)} bytes by DynamoDB's sizing rules)`,
      table(
        ['by', 'service', 'operation', 'calls/job', 'AWS units/job', 'of which GSI', 'DynamoDB Local units'],
        requestRows(s),
      ),
      `Lambda invocations/job: ${Object.entries(s.invocations)
        .filter(([, count]) => count > 0)
        .map(([module, count]) => `${module} ${num(count, 2)}`)
        .join(', ')}`,
    );
    if (s.websocket.connections > 0)
      out.push(
        `WebSocket/job: ${num(s.websocket.connections, 2)} connection, ${num(s.websocket.clientMessages, 2)} message in, ${num(s.websocket.framesReceived, 2)} frames received, ${num(s.websocket.connectionMinutes, 2)} connection-minute(s)`,
      );
    out.push(
      `Background in the window (not per job): ${s.background.emptyReceives} empty receives (idle rate × window: ${num(s.background.idleReceivesExpected, 0)}; the SQS emulator also wakes every waiting long poll per message), ${s.background.emptyStreamReads} empty stream reads (free)`,
    );
  }
  const { idle, maintenance } = result;
  const fn = (k: { source: string; service: string }) => k.source === 'functions' && k.service === 'DynamoDB';
  const sqs = (k: { source: string; service: string }) => k.source === 'functions' && k.service === 'SQS';
  out.push(
    `\nIdle background (${idle.windowSeconds} s window, no jobs): ${num(
      total(idle.perSecond, (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage')),
      2,
    )} empty SQS receives/s from ${idle.pollLoops} poll loops (billed on AWS), ${num(
      total(idle.perSecond, (k) => k.source === 'stream'),
      1,
    )} stream API calls/s (free).`,
    `One maintenance sweep (every minute on AWS): ${total(maintenance.recover, fn)} DynamoDB requests, ${num(total(maintenance.recover, fn, 'awsUnits'), 1)} read units by AWS's rules, ${total(maintenance.recover, sqs)} SQS requests (${num(maintenance.recoverMs, 0)} ms); every ${maintenance.fullSweepEveryMinutes}th minute a full one: ${total(maintenance.fullRecover, fn)} requests, ${num(total(maintenance.fullRecover, fn, 'awsUnits'), 1)} read units (${num(maintenance.fullRecoverMs, 0)} ms); one cleanup sweep (daily): ${total(maintenance.cleanup, fn)} requests (${num(maintenance.cleanupMs, 0)} ms).`,
    "AWS units: by AWS's rules from the sizes of the items and index entries written and read (bench/lib/dynamo-pricing.ts); DynamoDB Local's own figure beside them as a cross-check (it bills a transaction's item and index entries as 2 KB).",
  );
  if (result.errors.length > 0)
    out.push(`The stack reported ${result.errors.length} error(s), e.g. ${result.errors[0]}`);
  return out.join('\n');
}
