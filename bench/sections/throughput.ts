/**
 * Section `throughput`: 2,000 demo/echo jobs through the whole local stack (HTTP submit → SQS → worker →
 * DynamoDB → stream → notifier → WebSocket) in a closed loop of 20 in flight, completion observed on one
 * WebSocket client subscribed with `all: true`; then the same workload on BullMQ with a local Redis
 * (Debian's redis-server on a free port), completion from QueueEvents. The ratio of the two is reported.
 * Both share this machine's cores; neither says anything about AWS, where every part scales out.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { findFreePort } from '../../functions/local/emulators/dynamodb-local.ts';
import { httpClient, openSocket, startBenchStack, submit } from '../lib/local-stack.ts';
import type { SectionContext } from '../lib/results.ts';
import { diff, SdkCounter, tagFunctionClients, total } from '../lib/sdk-counter.ts';
import { summarize } from '../lib/stats.ts';
import { heading, ms, num, table } from '../lib/table.ts';

const exec = promisify(execFile);
/** Jobs in flight at once, on both systems: the critical tier's worker concurrency (20). */
const CONCURRENCY = 20;
const PRIORITY = 9;
/** Jobs run one at a time after the loaded run: the latency of the pipeline itself. */
const UNLOADED_JOBS = 50;

/** Busy and total jiffies of the whole machine (/proc/stat), to tell whether a run was CPU-bound. */
function machineCpu(): { busy: number; total: number } {
  const values = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

/** Completion times by job id; a completion may arrive before the submit call has returned the id. */
function completions(timeoutMs: number) {
  const done = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  return {
    complete(id: string) {
      if (done.has(id)) return;
      done.set(id, performance.now());
      waiting.get(id)?.(performance.now());
    },
    wait: (id: string) =>
      new Promise<number>((resolve, reject) => {
        const at = done.get(id);
        if (at !== undefined) return resolve(at);
        const timer = setTimeout(
          () => reject(new Error(`job ${id} did not complete in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.set(id, (when) => {
          clearTimeout(timer);
          resolve(when);
        });
      }),
  };
}

/** Warm-up, the measured closed loop (each lane waits for its job before the next), then jobs one at a time. */
async function measure(
  ctx: SectionContext,
  system: string,
  jobs: number,
  warmup: number,
  submitOne: () => Promise<string>,
  wait: (id: string) => Promise<number>,
) {
  const loop = async (count: number, lanes: number) => {
    const latencies: number[] = [];
    let remaining = count;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (remaining > 0) {
          remaining--;
          const t0 = performance.now();
          latencies.push((await wait(await submitOne())) - t0);
        }
      }),
    );
    return latencies;
  };
  ctx.log(`throughput: ${system}, ${warmup} warm-up jobs, then ${jobs} with ${CONCURRENCY} in flight`);
  await loop(warmup, CONCURRENCY);
  const [cpu0, process0, started] = [machineCpu(), process.cpuUsage(), performance.now()];
  const latencies = await loop(jobs, CONCURRENCY);
  const seconds = (performance.now() - started) / 1000;
  const [cpu1, used] = [machineCpu(), process.cpuUsage(process0)];
  ctx.log(`throughput: ${system}, ${UNLOADED_JOBS} jobs one at a time`);
  return {
    system,
    jobs,
    concurrency: CONCURRENCY,
    seconds,
    jobsPerSecond: jobs / seconds,
    latencyMs: summarize(latencies),
    /** Share of the whole machine's CPU time that was busy during the measured run. */
    machineCpuBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
    /** CPU seconds of this process (the others: DynamoDB Local, redis-server). */
    processCpuSeconds: (used.user + used.system) / 1e6,
    unloadedLatencyMs: summarize(await loop(UNLOADED_JOBS, 1)),
  };
}

async function localStack(ctx: SectionContext, jobs: number, warmup: number) {
  ctx.log('throughput: starting the local stack');
  const counter = new SdkCounter();
  counter.install();
  const bench = await startBenchStack();
  await tagFunctionClients(counter);
  try {
    const http = httpClient(bench.stack.httpUrl, bench.token);
    const tracker = completions(120_000);
    const socket = await openSocket(bench.stack.wsUrl, bench.token, (frame) => {
      if (frame.type === 'job.updated' && frame.job?.status === 'completed') tracker.complete(frame.job.id);
    });
    socket.send({ action: 'subscribe', all: true });
    await sleep(500);
    const body = { type: 'demo', command: 'echo', params: { value: 42 }, priority: PRIORITY };
    const before = counter.snapshot();
    const run = await measure(
      ctx,
      'local stack (HTTP API → SQS → worker → DynamoDB → stream → WebSocket)',
      jobs,
      warmup,
      async () => (await submit(http, body)).id,
      tracker.wait,
    );
    const window = diff(counter.snapshot(), before);
    const perJob = jobs + warmup + UNLOADED_JOBS;
    await socket.close();
    return {
      ...run,
      observedVia:
        "WebSocket subscription {action: 'subscribe', all: true}: the job.updated frame with status completed",
      functionRequestsPerJob: total(window, (k) => k.source === 'functions') / perJob,
      failedRequestsPerJob: total(window, (k) => k.source === 'functions', 'errors') / perJob,
      emptyReceivesPerJob: total(window, (k) => k.source === 'event-source', 'empty') / perJob,
    };
  } finally {
    await bench.stop();
  }
}

/** redis-server from PATH, installed with apt-get when missing (the bench runs as root on Debian). */
async function redisServer(ctx: SectionContext): Promise<{ binary: string; note: string }> {
  const find = () =>
    exec('sh', ['-c', 'command -v redis-server']).then(
      (r) => r.stdout.trim(),
      () => '',
    );
  const found = await find();
  if (found) return { binary: found, note: `redis-server found at ${found}.` };
  ctx.log(
    'throughput: redis-server is not installed; installing it with apt-get (Debian package redis-server)',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await exec(
    'sh',
    ['-c', 'apt-get install -y -q redis-server || (apt-get update -q && apt-get install -y -q redis-server)'],
    { env },
  );
  const installed = await find();
  if (!installed) throw new Error('apt-get did not provide redis-server');
  return {
    binary: installed,
    note: 'redis-server was not installed: the bench installed it with `apt-get install -y redis-server`.',
  };
}

async function bullmq(ctx: SectionContext, jobs: number, warmup: number) {
  const redis = await redisServer(ctx);
  const port = await findFreePort();
  const server = spawn(
    redis.binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  // A bench that dies half way must not leave redis-server running.
  process.once('exit', () => server.kill('SIGKILL'));
  let version = '';
  for (let attempt = 0; !version; attempt++) {
    // A fresh client per attempt, without ioredis's own reconnects: redis-server may still be starting.
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      version = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? '?';
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(100);
    } finally {
      probe.disconnect();
    }
  }
  ctx.log(`throughput: redis-server ${version} on port ${port}`);
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue('bench', { connection });
  const events = new QueueEvents('bench', { connection });
  const worker = new Worker('bench', async (job) => ({ value: (job.data as { value: unknown }).value }), {
    connection,
    concurrency: CONCURRENCY,
  });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    const tracker = completions(60_000);
    events.on('completed', ({ jobId }) => tracker.complete(jobId));
    const submitOne = async () =>
      (await queue.add('echo', { value: 42 }, { removeOnComplete: 1000 })).id as string;
    const bullVersion = (createRequire(import.meta.url)('bullmq/package.json') as { version: string })
      .version;
    const run = await measure(
      ctx,
      `BullMQ ${bullVersion} + redis-server ${version}`,
      jobs,
      warmup,
      submitOne,
      tracker.wait,
    );
    return {
      ...run,
      observedVia: "QueueEvents 'completed' (Redis stream), Queue.add → completed event",
      note: redis.note,
    };
  } finally {
    await Promise.all([worker.close(), events.close(), queue.close()]);
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

export async function run(ctx: SectionContext) {
  const jobs = ctx.quick ? 300 : 2000;
  const warmup = ctx.quick ? 40 : 100;
  const local = await localStack(ctx, jobs, warmup);
  const notes = [
    `A closed loop: ${CONCURRENCY} lanes, each submits a job and waits for its completion before the next; ${warmup} warm-up jobs first, not counted.`,
    `Local stack jobs run at priority ${PRIORITY} (critical tier, 20 workers) so the pollers are not the limit; BullMQ gets the same concurrency (one Worker in this process).`,
    'Everything shares this machine: the local stack runs the handlers, the SQS emulator and the gateways in one Node process beside DynamoDB Local (a JVM); BullMQ runs producer, worker and events in one Node process beside redis-server.',
  ];
  const bull = await bullmq(ctx, jobs, warmup).catch((error: unknown) => ({
    skipped: `BullMQ run failed: ${error instanceof Error ? error.message : String(error)}`,
  }));
  if ('note' in bull) notes.push(bull.note);
  return {
    local,
    bullmq: bull,
    ratio: 'jobsPerSecond' in bull ? local.jobsPerSecond / bull.jobsPerSecond : null,
    notes,
  };
}

export type ThroughputResult = Awaited<ReturnType<typeof run>>;

export function render(result: ThroughputResult): string {
  const runs = [result.local, ...('jobsPerSecond' in result.bullmq ? [result.bullmq] : [])];
  const headers = [
    'system',
    'jobs',
    'in flight',
    'seconds',
    'jobs/s',
    'latency p50 ms',
    'p99 ms',
    'machine CPU busy',
    'alone: p50 ms',
    'p99 ms',
  ];
  const { local, bullmq: bull, ratio } = result;
  return [
    heading('[throughput] Local throughput and latency (demo/echo, closed loop)'),
    table(
      headers,
      runs.map((r) => [
        r.system,
        r.jobs,
        r.concurrency,
        num(r.seconds, 2),
        num(r.jobsPerSecond, 1),
        ms(r.latencyMs.median, 1),
        ms(r.latencyMs.p99, 1),
        `${num(r.machineCpuBusy * 100, 0)}%`,
        ms(r.unloadedLatencyMs.median, 1),
        ms(r.unloadedLatencyMs.p99, 1),
      ]),
    ),
    `"alone": ${local.unloadedLatencyMs.n} more jobs with one in flight, after the loaded run.`,
    'skipped' in bull ? `BullMQ: ${bull.skipped}` : '',
    ratio !== null
      ? `Ratio: the local stack runs ${num(ratio, 4)}× BullMQ's throughput (BullMQ is ${num(1 / ratio, 0)}× faster on this machine).`
      : '',
    `Completion observed via: local stack: ${local.observedVia}; BullMQ: ${'observedVia' in bull ? bull.observedVia : '-'}.`,
    `Local stack per job: ${num(local.functionRequestsPerJob, 1)} SDK requests by the functions, ${num(local.failedRequestsPerJob, 3)} failed (retried), ${num(local.emptyReceivesPerJob, 1)} empty receives (emulator wake-ups).`,
    ...result.notes,
  ]
    .filter(Boolean)
    .join('\n');
}
