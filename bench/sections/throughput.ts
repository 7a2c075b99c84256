/**
 * Section 5: local throughput and latency. 2,000 demo/echo jobs through the whole local stack (HTTP submit
 * → SQS → worker → DynamoDB → stream → notifier → WebSocket), a closed loop of a fixed number of jobs in
 * flight; completion is observed on one WebSocket client subscribed with `all: true` (the `job.updated`
 * frame whose status is `completed`), latency is from just before the POST to that frame. Then the same
 * workload on BullMQ with a local Redis (Debian's redis-server, started here on a free port), completion
 * observed with QueueEvents; the ratio of the two throughputs is the headline.
 *
 * Both run on this machine's cores with everything they need (DynamoDB Local's JVM and the SQS emulator;
 * redis-server); neither figure says anything about AWS, where every part scales out.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { findFreePort } from '../../functions/local/emulators/dynamodb-local.ts';
import { httpClient, openSocket, startBenchStack, submit, type WsFrame } from '../lib/local-stack.ts';
import type { SectionContext } from '../lib/results.ts';
import { diff, SdkCounter, tagFunctionClients, total } from '../lib/sdk-counter.ts';
import { type Summary, summarize } from '../lib/stats.ts';
import { heading, ms, num, table } from '../lib/table.ts';

interface ThroughputRun {
  system: string;
  jobs: number;
  concurrency: number;
  workers: string;
  seconds: number;
  jobsPerSecond: number;
  latencyMs: Summary;
  observedVia: string;
  /** Share of the whole machine's CPU time that was busy during the measured run (/proc/stat). */
  machineCpuBusy: number;
  /** CPU seconds of the bench's own Node process (the other processes: DynamoDB Local, redis-server). */
  processCpuSeconds: number;
  /** Latency with one job in flight (run after the loaded run). */
  unloadedLatencyMs: Summary;
  functionRequestsPerJob?: number;
  failedRequestsPerJob?: number;
  /** Empty receives per job: the SQS emulator wakes every waiting long poll for each message. */
  emptyReceivesPerJob?: number;
}

const exec = promisify(execFile);
/** Jobs in flight at once, on both systems: the critical tier's worker concurrency (20). */
const CONCURRENCY = 20;
const PRIORITY = 9;
/** Jobs run one at a time after the loaded run: the latency of the pipeline itself. */
const UNLOADED_JOBS = 50;

/** Busy and total jiffies of the whole machine (/proc/stat), to tell whether a run was CPU-bound. */
function machineCpu(): { busy: number; total: number } {
  try {
    const [line = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Submits `jobs` jobs, `concurrency` at a time; each lane waits for its job to complete before the next. */
async function closedLoop(
  jobs: number,
  concurrency: number,
  submitOne: () => Promise<string>,
  completion: (id: string) => Promise<number>,
): Promise<{ seconds: number; latencies: number[]; machineCpuBusy: number; processCpuSeconds: number }> {
  const latencies: number[] = [];
  let remaining = jobs;
  const cpu0 = machineCpu();
  const process0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining > 0) {
        remaining--;
        const t0 = performance.now();
        const id = await submitOne();
        const doneAt = await completion(id);
        latencies.push(doneAt - t0);
      }
    }),
  );
  const cpu1 = machineCpu();
  const used = process.cpuUsage(process0);
  return {
    seconds: (performance.now() - started) / 1000,
    latencies,
    machineCpuBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
    processCpuSeconds: (used.user + used.system) / 1e6,
  };
}

/** Completion times by job id; a completion may arrive before the submit call has returned the id. */
function completions(timeoutMs: number) {
  const done = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  return {
    complete(id: string) {
      const at = performance.now();
      if (done.has(id)) return;
      done.set(id, at);
      waiting.get(id)?.(at);
      waiting.delete(id);
    },
    wait(id: string): Promise<number> {
      const at = done.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`job ${id} did not complete in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.set(id, (when) => {
          clearTimeout(timer);
          resolve(when);
        });
      });
    },
  };
}

async function localStack(ctx: SectionContext, jobs: number, warmup: number): Promise<ThroughputRun> {
  ctx.log('throughput: starting the local stack');
  const counter = new SdkCounter();
  counter.install();
  const bench = await startBenchStack();
  await tagFunctionClients(counter);
  try {
    const http = httpClient(bench.stack.httpUrl, bench.token);
    const tracker = completions(120_000);
    const socket = await openSocket(bench.stack.wsUrl, bench.token, (frame: WsFrame) => {
      if (frame.type === 'job.updated' && frame.job?.status === 'completed') tracker.complete(frame.job.id);
    });
    socket.send({ action: 'subscribe', all: true });
    await sleep(500);
    const body = { type: 'demo', command: 'echo', params: { value: 42 }, priority: PRIORITY };
    const submitOne = async () => (await submit(http, body)).id;
    ctx.log(`throughput: local stack, ${warmup} warm-up jobs`);
    await closedLoop(warmup, CONCURRENCY, submitOne, (id) => tracker.wait(id));
    ctx.log(`throughput: local stack, ${jobs} jobs, ${CONCURRENCY} in flight`);
    const counts = counter.snapshot();
    const loop = await closedLoop(jobs, CONCURRENCY, submitOne, (id) => tracker.wait(id));
    const window = diff(counter.snapshot(), counts);
    ctx.log(`throughput: local stack, ${UNLOADED_JOBS} jobs one at a time`);
    const unloaded = await closedLoop(UNLOADED_JOBS, 1, submitOne, (id) => tracker.wait(id));
    await socket.close();
    if (bench.errors.length > 0) ctx.log(`throughput: the stack reported ${bench.errors.length} error(s)`);
    return {
      system: 'local stack (HTTP API → SQS → worker → DynamoDB → stream → WebSocket)',
      jobs,
      concurrency: CONCURRENCY,
      workers: 'critical tier: 20 SQS poll loops, batch size 1',
      seconds: loop.seconds,
      jobsPerSecond: jobs / loop.seconds,
      latencyMs: summarize(loop.latencies),
      observedVia:
        "WebSocket subscription {action: 'subscribe', all: true}: the job.updated frame with status completed",
      machineCpuBusy: loop.machineCpuBusy,
      processCpuSeconds: loop.processCpuSeconds,
      functionRequestsPerJob: total(window, (k) => k.source === 'functions') / jobs,
      failedRequestsPerJob: total(window, (k) => k.source === 'functions', 'errors') / jobs,
      emptyReceivesPerJob: total(window, (k) => k.source === 'event-source', 'empty') / jobs,
      unloadedLatencyMs: summarize(unloaded.latencies),
    };
  } finally {
    await bench.stop();
  }
}

/** redis-server from PATH, installed with apt-get when missing (the bench runs as root on Debian). */
async function ensureRedis(ctx: SectionContext): Promise<{ binary: string; installed: boolean }> {
  const find = async () => {
    try {
      return (await exec('sh', ['-c', 'command -v redis-server'])).stdout.trim();
    } catch {
      return '';
    }
  };
  const found = await find();
  if (found) return { binary: found, installed: false };
  ctx.log(
    'throughput: redis-server is not installed; installing it with apt-get (Debian package redis-server)',
  );
  try {
    await exec('apt-get', ['install', '-y', '-q', 'redis-server'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    await exec('apt-get', ['update', '-q']);
    await exec('apt-get', ['install', '-y', '-q', 'redis-server'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  const installed = await find();
  if (!installed) throw new Error('apt-get did not provide redis-server');
  return { binary: installed, installed: true };
}

async function startRedis(binary: string): Promise<{ port: number; version: string; process: ChildProcess }> {
  const port = await findFreePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  // A bench that dies half way must not leave redis-server running.
  process.once('exit', () => child.kill('SIGKILL'));
  for (let attempt = 0; ; attempt++) {
    // A fresh client per attempt, without ioredis's own reconnects: redis-server may still be starting.
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const info = await client.info('server');
      return { port, version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', process: child };
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(100);
    } finally {
      client.disconnect();
    }
  }
}

async function bullmq(
  ctx: SectionContext,
  jobs: number,
  warmup: number,
): Promise<ThroughputRun & { note: string }> {
  const redisBinary = await ensureRedis(ctx);
  const redis = await startRedis(redisBinary.binary);
  ctx.log(`throughput: redis-server ${redis.version} on port ${redis.port}`);
  const connection = { host: '127.0.0.1', port: redis.port };
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
    const submitOne = async () => {
      const job = await queue.add('echo', { value: 42 }, { removeOnComplete: 1000 });
      return job.id as string;
    };
    ctx.log(`throughput: BullMQ, ${warmup} warm-up jobs`);
    await closedLoop(warmup, CONCURRENCY, submitOne, (id) => tracker.wait(id));
    ctx.log(`throughput: BullMQ, ${jobs} jobs, ${CONCURRENCY} in flight`);
    const loop = await closedLoop(jobs, CONCURRENCY, submitOne, (id) => tracker.wait(id));
    ctx.log(`throughput: BullMQ, ${UNLOADED_JOBS} jobs one at a time`);
    const unloaded = await closedLoop(UNLOADED_JOBS, 1, submitOne, (id) => tracker.wait(id));
    return {
      system: `BullMQ ${bullmqVersion()} + redis-server ${redis.version}`,
      jobs,
      concurrency: CONCURRENCY,
      workers: `one Worker, concurrency ${CONCURRENCY}, in this process`,
      seconds: loop.seconds,
      jobsPerSecond: jobs / loop.seconds,
      latencyMs: summarize(loop.latencies),
      observedVia: "QueueEvents 'completed' (Redis stream), Queue.add → completed event",
      machineCpuBusy: loop.machineCpuBusy,
      processCpuSeconds: loop.processCpuSeconds,
      unloadedLatencyMs: summarize(unloaded.latencies),
      note: redisBinary.installed
        ? 'redis-server was not installed: the bench installed it with `apt-get install -y redis-server`.'
        : `redis-server found at ${redisBinary.binary}.`,
    };
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    redis.process.kill('SIGTERM');
    await once(redis.process, 'exit');
  }
}

function bullmqVersion(): string {
  return (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;
}

export async function run(ctx: SectionContext) {
  const jobs = ctx.quick ? 300 : 2000;
  const warmup = ctx.quick ? 40 : 100;
  const local = await localStack(ctx, jobs, warmup);
  const notes = [
    `A closed loop: ${CONCURRENCY} lanes, each submits a job and waits for its completion before the next; ${warmup} warm-up jobs first, not counted.`,
    `Local stack jobs run at priority ${PRIORITY} (critical tier, 20 workers) so the pollers are not the limit; BullMQ gets the same concurrency.`,
    'Everything shares this machine: the local stack runs the handlers, the SQS emulator and the HTTP/WebSocket gateways in one Node process beside DynamoDB Local (a JVM); BullMQ runs producer, worker and events in one Node process beside redis-server.',
  ];
  let bull: ThroughputRun | { skipped: string };
  try {
    const result = await bullmq(ctx, jobs, warmup);
    notes.push(result.note);
    const { note: _note, ...runResult } = result;
    bull = runResult;
  } catch (error) {
    bull = { skipped: `BullMQ run failed: ${error instanceof Error ? error.message : String(error)}` };
  }
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
  const out = [
    heading('[throughput] Local throughput and latency (demo/echo, closed loop)'),
    table(
      [
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
      ],
      runs.map((run) => [
        run.system,
        run.jobs,
        run.concurrency,
        num(run.seconds, 2),
        num(run.jobsPerSecond, 1),
        ms(run.latencyMs.median, 1),
        ms(run.latencyMs.p99, 1),
        `${num(run.machineCpuBusy * 100, 0)}%`,
        ms(run.unloadedLatencyMs.median, 1),
        ms(run.unloadedLatencyMs.p99, 1),
      ]),
    ),
  ];
  out.push(
    `"alone": ${result.local.unloadedLatencyMs.n} more jobs with one in flight, after the loaded run.`,
  );
  if ('skipped' in result.bullmq) out.push(`BullMQ: ${result.bullmq.skipped}`);
  if (result.ratio !== null)
    out.push(
      `Ratio: the local stack runs ${num(result.ratio, 4)}× BullMQ's throughput (BullMQ is ${num(1 / result.ratio, 0)}× faster on this machine).`,
    );
  out.push(
    `Completion observed via: local stack: ${result.local.observedVia}; BullMQ: ${'observedVia' in result.bullmq ? result.bullmq.observedVia : '-'}.`,
  );
  if (result.local.functionRequestsPerJob !== undefined)
    out.push(
      `Local stack per job: ${num(result.local.functionRequestsPerJob, 1)} SDK requests by the functions, ${num(result.local.failedRequestsPerJob ?? 0, 3)} failed (retried), ${num(result.local.emptyReceivesPerJob ?? 0, 1)} empty receives (emulator wake-ups).`,
    );
  out.push(...result.notes);
  return out.join('\n');
}
