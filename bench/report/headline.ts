/** The few figures worth quoting, from whichever sections have results. */
import type { BenchResults } from '../lib/results.ts';
import { DYNAMODB_READS, DYNAMODB_WRITES, total } from '../lib/sdk-counter.ts';
import { heading, kb, num, usd } from '../lib/table.ts';

export function renderHeadline(results: BenchResults): string {
  const { requests, overhead, cost, bundles, throughput, scale } = results.sections;
  const lines: string[] = [heading('Headline figures')];
  if (requests)
    for (const shape of requests.shapes) {
      const fn = (k: { source: string }) => k.source === 'functions';
      const writes = total(
        shape.perJob,
        (k) => fn(k) && k.service === 'DynamoDB' && DYNAMODB_WRITES.has(k.operation),
        'units',
      );
      const reads = total(
        shape.perJob,
        (k) => fn(k) && k.service === 'DynamoDB' && DYNAMODB_READS.has(k.operation),
        'awsUnits',
      );
      const dynamoCalls = total(shape.perJob, (k) => fn(k) && k.service === 'DynamoDB');
      const sqs =
        total(shape.perJob, (k) => fn(k) && k.service === 'SQS') +
        total(shape.perJob, (k) => k.source === 'event-source') -
        total(shape.perJob, (k) => k.source === 'event-source', 'empty');
      const invocations = Object.values(shape.invocations).reduce((a, b) => a + b, 0);
      lines.push(
        `${shape.shape}: ${num(invocations, 1)} Lambda invocations, ${num(sqs, 1)} SQS requests, ${num(dynamoCalls, 1)} DynamoDB requests (${num(writes, 1)} WRU, ${num(reads, 1)} RRU) per job`,
      );
    }
  if (cost) {
    for (const shape of cost.shapes)
      lines.push(
        `${shape.shape}: ${usd(shape.platformUsdPerMillion)} per million jobs for the platform${shape.agentComputeUsdPerMillion > 0 ? ` + ${usd(shape.agentComputeUsdPerMillion)} for the agent's run time` : ''}; Step Functions Standard transitions alone: ${usd(shape.stepFunctions.usdPerMillion)}`,
      );
    lines.push(`Idle: ${usd(cost.idle.usdPerMonth)} per month with no jobs`);
  }
  if (overhead) {
    const pick = (name: string) => overhead.handlers.find((h) => h.name === name);
    const describe = (name: string) => {
      const h = pick(name);
      return h
        ? `${name} ${num(h.wallMs.median, 1)} ms wall / ${num(h.cpuMs.median, 1)} ms CPU (p99 ${num(h.wallMs.p99, 0)} / ${num(h.cpuMs.p99, 0)})`
        : '';
    };
    lines.push(
      `Handler overhead (p50): ${['POST /jobs', 'GET /jobs/{id}', 'worker (demo/echo)', 'notifier, one subscriber'].map(describe).filter(Boolean).join('; ')}`,
    );
  }
  if (bundles) {
    const largest = bundles.functions[0];
    const imports = bundles.functions.map((fn) => fn.importMs.median).sort((a, b) => a - b);
    lines.push(
      `Bundles: ${bundles.functions.length} functions, ${kb(bundles.functions.at(-1)?.bytes ?? 0)} to ${kb(largest?.bytes ?? 0)} (largest: ${largest?.module}, ${largest?.largestPackages[0]?.name} ${kb(largest?.largestPackages[0]?.bytes ?? 0)}); import ${num(imports[0] ?? 0, 0)}-${num(imports.at(-1) ?? 0, 0)} ms`,
    );
  }
  if (throughput) {
    const bull = throughput.bullmq;
    lines.push(
      `Throughput: local stack ${num(throughput.local.jobsPerSecond, 1)} jobs/s (p50 ${num(throughput.local.latencyMs.median, 0)} ms, p99 ${num(throughput.local.latencyMs.p99, 0)} ms)${'jobsPerSecond' in bull ? `; BullMQ ${num(bull.jobsPerSecond, 0)} jobs/s (p50 ${num(bull.latencyMs.median, 1)} ms); ratio ${num(throughput.ratio ?? 0, 4)}` : ''}`,
    );
  }
  if (scale)
    lines.push(
      `Scale (${scale.sizes.small.toLocaleString('en-US')} → ${scale.sizes.large.toLocaleString('en-US')} jobs): ${scale.measures.map((m) => `${m.route} ×${num(m.ratio, 2)}`).join(', ')}`,
    );
  const stamps = Object.entries(results.sections).map(
    ([name, section]) => `${name} ${section.measuredAt}${section.quick ? ' (quick)' : ''}`,
  );
  lines.push(`Measured: ${stamps.join('; ')}`);
  return lines.join('\n');
}
