/** Console reports of sections 3-6 (handler overhead, bundles, throughput, scale). */
import type { BundleResult, OverheadResult, ScaleResult, ThroughputResult } from '../lib/results.ts';
import { heading, kb, ms, num, table } from '../lib/table.ts';

export function renderOverhead(result: OverheadResult): string {
  return [
    heading('[overhead] Handler overhead per invocation (in-process, local emulators)'),
    table(
      [
        'handler',
        'what',
        'n',
        'wall p50 ms',
        'wall p99 ms',
        'CPU p50 ms',
        'CPU p99 ms',
        'SDK requests/invocation',
      ],
      result.handlers.map((h) => [
        h.name,
        h.note,
        h.invocations,
        ms(h.wallMs.median, 2),
        ms(h.wallMs.p99, 1),
        ms(h.cpuMs.median, 2),
        ms(h.cpuMs.p99, 1),
        Object.entries(h.requests)
          .map(([name, count]) => `${name} ${num(count, 2)}`)
          .join(', ') || '-',
      ]),
    ),
    ...result.notes,
  ].join('\n');
}

export function renderBundles(result: BundleResult): string {
  return [
    heading('[bundles] Bundles as deployed and cold import time'),
    table(
      ['function', 'index.mjs', '.map', 'largest parts', 'import p50 ms', 'p99 ms', 'SDK alone p50 ms'],
      result.functions.map((fn) => [
        fn.module,
        kb(fn.bytes),
        kb(fn.mapBytes),
        fn.largestPackages.map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
        ms(fn.importMs.median, 0),
        ms(fn.importMs.p99, 0),
        fn.sdkPackages.length > 0 ? ms(fn.sdkImportMs.median, 0) : '-',
      ]),
    ),
    `An empty node process starts in ${ms(result.processStartMs.median, 0)} ms here (spawned and awaited from outside), for scale.`,
    ...result.notes,
  ].join('\n');
}

export function renderThroughput(result: ThroughputResult): string {
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

export function renderScale(result: ScaleResult): string {
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
