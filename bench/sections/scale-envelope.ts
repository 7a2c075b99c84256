/**
 * Section `scale-envelope`: the scale of the design on AWS, on paper (issue 14 "Scale, on paper"). From the
 * per-job request counts of section `requests`, the handler durations of `overhead` and the settings in
 * infra/, the jobs per second at which each limit is reached, sorted; the first is what a growing user
 * meets first. Computed in seconds, no emulator.
 *
 * Concurrency is Little's law: invocations per job × duration × jobs/s. The invocations per job of the
 * stream consumers are those of a lightly loaded run (one batch per change); under load Lambda batches up
 * to 100 records, so those rows are lower bounds. Hot keys: every partition key value the functions wrote
 * or read in the run (a key of its own per job, `{id}`, is never hot), at the hottest shard measured,
 * against DynamoDB's per-partition 1,000 WRU/s and 3,000 RRU/s; items sharing a partition key but not a
 * sort key can be split for heat by DynamoDB, so for sort-key shards the figure is conservative.
 */
import { DEFAULT_PRIORITY, tierForPriority } from '../../functions/core/tiers.ts';
import { streamEventSources } from '../../infra/function-settings.ts';
import { reservedConcurrency, throttleDefaults } from '../../infra/limits.ts';
import { tierDefaults } from '../../infra/resources.ts';
import { BENCH_USER, type SectionContext, timingNameFor } from '../lib/results.ts';
import { DYNAMODB_READS, DYNAMODB_WRITES, dynamo, parseKey, total } from '../lib/sdk-counter.ts';
import { heading, num, table } from '../lib/table.ts';
import type { ShapeResult } from './requests.ts';

/** AWS's default quotas (us-east-1, 2026-11); each can be raised by a quota request unless said otherwise. */
const QUOTAS = {
  httpApiRequestsPerSecond: 10_000,
  lambdaConcurrency: 1_000,
  tableWriteUnitsPerSecond: 40_000,
  tableReadUnitsPerSecond: 40_000,
  partitionWriteUnitsPerSecond: 1_000,
  partitionReadUnitsPerSecond: 3_000,
  sqsInFlightPerQueue: 120_000,
  webSocketConnectsPerSecond: 500,
  streamReadersPerShard: 2,
};

export interface Limit {
  limit: string;
  perJob: string;
  quota: string;
  jobsPerSecond: number;
  raise: string;
}

function limitsOf(shape: ShapeResult, durationMs: (module: string) => number): Limit[] {
  const c = shape.perJob;
  const rows: Limit[] = [];
  const add = (
    limit: string,
    perJob: number,
    unit: string,
    quota: number,
    raise: string,
    quotaText = num(quota, 0),
  ) =>
    perJob > 0 &&
    rows.push({
      limit,
      perJob: `${num(perJob, 3)} ${unit}`,
      quota: quotaText,
      jobsPerSecond: quota / perJob,
      raise,
    });

  add(
    'API Gateway HTTP API, account requests/s',
    shape.httpRequests,
    'requests',
    QUOTAS.httpApiRequestsPerSecond,
    'AWS quota request',
  );
  add(
    'Stage throttle of POST /jobs (infra/limits.ts)',
    shape.httpRequests,
    'requests',
    throttleDefaults.submit.rate,
    'deployment setting throttle.submit (rate, burst)',
    `${throttleDefaults.submit.rate}/s`,
  );
  if (shape.websocket.connections > 0) {
    add(
      'WebSocket $connect stage throttle',
      shape.websocket.connections,
      'connects',
      throttleDefaults.connect.rate,
      'deployment setting throttle.connect',
      `${throttleDefaults.connect.rate}/s`,
    );
    add(
      'WebSocket new connections, account',
      shape.websocket.connections,
      'connects',
      QUOTAS.webSocketConnectsPerSecond,
      'AWS quota request',
    );
  }
  const busy = (module: string) =>
    ((shape.invocations as Record<string, number>)[module] ?? 0) * (durationMs(module) / 1000);
  const lambdaSeconds =
    Object.keys(shape.invocations).reduce((sum, m) => sum + busy(m), 0) + shape.agentSecondsPerJob;
  add(
    'Lambda concurrency, account (all functions)',
    lambdaSeconds,
    'busy s',
    QUOTAS.lambdaConcurrency,
    'AWS quota request (unreserved concurrency)',
  );
  const tier = tierForPriority(DEFAULT_PRIORITY);
  add(
    `Worker concurrency, ${tier} tier (default priority ${DEFAULT_PRIORITY})`,
    busy('worker') + shape.agentSecondsPerJob,
    'busy s',
    tierDefaults[tier].maxConcurrency,
    'deployment setting of the tier’s MaximumConcurrency (≤ 1,000), or a higher priority',
  );
  add(
    'Notifier reserved concurrency',
    busy('notifier'),
    'busy s',
    reservedConcurrency.notifier,
    'infra/limits.ts reservedConcurrency.notifier; batching under load',
  );
  add(
    'Stream consumer (dependants, counters) reserved concurrency',
    busy('stream'),
    'busy s',
    reservedConcurrency.dependencyResolver,
    'infra/limits.ts reservedConcurrency.dependencyResolver',
  );
  add(
    'DynamoDB table writes, on demand',
    total(c, dynamo(DYNAMODB_WRITES), 'awsUnits'),
    'WRU',
    QUOTAS.tableWriteUnitsPerSecond,
    'AWS quota request (table maximum throughput)',
  );
  add(
    'DynamoDB table reads, on demand',
    total(c, dynamo(DYNAMODB_READS), 'awsUnits'),
    'RRU',
    QUOTAS.tableReadUnitsPerSecond,
    'AWS quota request (table maximum throughput)',
  );
  for (const [kind, quota] of [
    ['write', QUOTAS.partitionWriteUnitsPerSecond],
    ['read', QUOTAS.partitionReadUnitsPerSecond],
  ] as const) {
    const keys = Object.entries(c)
      .map(([key, totals]) => ({ key: parseKey(key), units: totals.awsUnits }))
      .filter(
        ({ key }) => key.source === 'partition' && key.service === kind && !key.operation.includes('{id}'),
      )
      .sort((a, b) => b.units - a.units);
    for (const { key, units } of keys.slice(0, 3)) {
      const perUser = key.operation.includes(BENCH_USER) ? ', per user' : '';
      add(
        `Hot key (${kind}s${perUser}): ${key.operation}`,
        units,
        kind === 'write' ? 'WRU' : 'RRU',
        quota,
        /#\d+$/.test(key.operation)
          ? 'more shards'
          : `shard the partition key${perUser ? ' per user' : ''} (sort-key shards share it; DynamoDB may split it for heat)`,
      );
    }
  }
  add(
    'SQS in-flight messages per queue',
    Math.max(shape.executionMs / 1000, 0.001),
    'in-flight s',
    QUOTAS.sqsInFlightPerQueue,
    'more queues (not a quota)',
  );
  const readers = Object.keys(streamEventSources).length;
  rows.push({
    limit: `DynamoDB Streams: ${readers} readers per shard (AWS: at most ${QUOTAS.streamReadersPerShard})`,
    perJob: '-',
    quota: `${QUOTAS.streamReadersPerShard} readers`,
    jobsPerSecond: readers > QUOTAS.streamReadersPerShard ? 0 : Number.POSITIVE_INFINITY,
    raise: 'shards follow table partitions; a third reader throttles: fan out from one reader (or Kinesis)',
  });
  rows.push({
    limit: 'SQS standard queue requests',
    perJob: '-',
    quota: 'nearly unlimited',
    jobsPerSecond: Number.POSITIVE_INFINITY,
    raise: '-',
  });
  return rows.sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
}

export async function run(ctx: SectionContext) {
  const { requests, overhead } = ctx.previous;
  if (!requests || !overhead)
    throw new Error('scale-envelope needs the results of the requests and overhead sections');
  const timing = (name: string) => overhead.handlers.find((h) => h.name === name)?.wallMs.median ?? 0;
  const durationMs = (module: string) => timing(timingNameFor(module));
  const shapes = requests.shapes.map((shape) => {
    const limits = limitsOf(shape, durationMs);
    return { shape: shape.shape, limits, first: limits[0] };
  });
  return { shapes };
}

export type ScaleEnvelopeResult = Awaited<ReturnType<typeof run>>;

export function render(result: ScaleEnvelopeResult): string {
  const out = [heading('[scale-envelope] Scale on paper: jobs/s at which each AWS limit is reached')];
  const rate = (value: number) => (Number.isFinite(value) ? num(value, value < 10 ? 1 : 0) : '-');
  const [echo, ...others] = result.shapes;
  if (echo) {
    out.push(`${echo.shape}, per job and per limit (sorted):`);
    out.push(
      table(
        ['limit', 'per job', 'quota', 'jobs/s', 'raised by'],
        echo.limits.map((l) => [l.limit, l.perJob, l.quota, rate(l.jobsPerSecond), l.raise]),
      ),
    );
  }
  for (const shape of [echo, ...others])
    if (shape?.first)
      out.push(
        `First limit for ${shape.shape}: ${shape.first.limit} at ${rate(shape.first.jobsPerSecond)} jobs/s (raised by: ${shape.first.raise}); then ${shape.limits
          .slice(1, 3)
          .map((l) => `${l.limit} at ${rate(l.jobsPerSecond)}`)
          .join(', ')}.`,
      );
  return out.join('\n');
}
