/**
 * Section `cost`: cost per million jobs on AWS, from the request counts of section `requests`, the handler
 * durations of section `overhead`, the functions' memory in the synthesized template and the prices in
 * lib/prices.ts; beside it the same lifecycle as a Step Functions Standard workflow (lib/step-functions.ts).
 *
 * Per job: HTTP API requests; WebSocket messages both ways and connection minutes; Lambda requests (every
 * invocation) and GB-seconds (invocations × median measured duration rounded up to 1 ms × memory), the
 * agent's own run time on a line of its own; SQS requests of the functions and of the event source per
 * delivery; DynamoDB units by AWS's rules (lib/dynamo-pricing.ts), DynamoDB Local's figure as a
 * cross-check beside the total; stream reads by Lambda are free.
 */
import { join } from 'node:path';
import { projectRoot } from '../../infra/constructs/job-function.ts';
import { sqsEventSourceMappings } from '../lib/event-source-mappings.ts';
import { PRICE_DATE, PRICES, SECONDS_PER_MONTH } from '../lib/prices.ts';
import { type SectionContext, TIMING_FOR, timingNameFor } from '../lib/results.ts';
import { type Counts, DYNAMODB_READS, DYNAMODB_WRITES, dynamo, total } from '../lib/sdk-counter.ts';
import { standardWorkflowTransitions } from '../lib/step-functions.ts';
import { synthesize } from '../lib/synth.ts';
import { heading, num, table, usd } from '../lib/table.ts';
import type { OverheadResult } from './overhead.ts';
import { type RequestsResult, type ShapeResult, STREAM_CONSUMERS, sqsRequests } from './requests.ts';

interface Line {
  item: string;
  unitPrice: string;
  quantity: number;
  usd: number;
}
const line = (item: string, unitPrice: string, quantity: number, price: number): Line => ({
  item,
  unitPrice,
  quantity,
  usd: quantity * price,
});
const sum = (lines: Line[]) => lines.reduce((s, l) => s + l.usd, 0);
const units = (c: Counts, ops: Set<string>, field: 'awsUnits' | 'units' = 'awsUnits') =>
  total(c, dynamo(ops), field);

export async function run(ctx: SectionContext) {
  const { requests, overhead } = ctx.previous;
  if (!requests || !overhead) throw new Error('cost needs the results of the requests and overhead sections');
  ctx.log('cost: synthesizing the CDK stack for the functions’ memory settings');
  const outdir = join(projectRoot, 'node_modules', '.cache', 'bench-template');
  const memory = synthesize({ bundle: false, outdir }).map(({ module, memoryMb, architecture, runtime }) => ({
    module,
    memoryMb,
    architecture,
    runtime,
  }));
  const memoryOf = (module: string) => {
    const found = memory.find((fn) => fn.module === module);
    if (!found) throw new Error(`no function for handler module ${module} in the template`);
    return found.memoryMb;
  };
  const unmeasured = [...new Set(requests.shapes.flatMap((s) => Object.keys(s.invocations)))].filter(
    (module) => !TIMING_FOR[module],
  );
  return {
    priceDate: PRICE_DATE,
    memory,
    shapes: requests.shapes.map((shape) => shapeCost(shape, overhead, memoryOf)),
    idle: idleCost(requests, memoryOf, sqsEventSourceMappings(join(outdir, 'Bench.template.json'))),
    assumptions: [
      'Lambda duration per invocation = the median wall time of the same handler measured in-process against the local emulators (section overhead), rounded up to 1 ms; on AWS the DynamoDB round trips differ and a 512 MB function gets about a third of a vCPU.',
      'The notifier of a watched job (demo/sleep) is costed with the one-subscriber measurement, of the others with the nobody-subscribed one.',
      "DynamoDB units by AWS's rules from the sizes of the items and index entries written and read (bench/README.md); the row with DynamoDB Local's units is a cross-check only (Local bills 4 units per item and index entry inside a transaction).",
      'Durable steps (demo/steps): a worker invocation is timed like demo/echo’s; each step adds one UpdateItem round trip of a few ms to it (in the DynamoDB lines, not in the Lambda duration), and the continued shape’s 1-s steps are the agent’s run time.',
      'SQS: one request per call (every payload here is far below 64 KB); the event source’s receive that delivered a message and its delete are per job, its empty long polls are in the idle line.',
      'WebSocket: one message per frame sent or received; connection minutes rounded up per connection. The watching client connects for its job only.',
      'Not included: CloudWatch Logs ingestion ($0.50/GB), data transfer, free tiers.',
      ...(unmeasured.length > 0
        ? [`No overhead measurement of its own for ${unmeasured.join(', ')}: timed like the stream consumer.`]
        : []),
    ],
  };
}

function shapeCost(shape: ShapeResult, overhead: OverheadResult, memoryOf: (module: string) => number) {
  const c = shape.perJob;
  const posts = total(c, (k) => k.source === 'functions' && k.operation === 'PostToConnection');
  let gbSeconds = 0;
  for (const [module, count] of Object.entries(shape.invocations)) {
    if (count === 0) continue;
    const name =
      module === 'notifier' && shape.websocket.connections > 0
        ? 'notifier, one subscriber'
        : timingNameFor(module);
    const timing = overhead.handlers.find((handler) => handler.name === name);
    if (!timing) throw new Error(`no overhead measurement "${name}" for ${module}`);
    gbSeconds += count * (Math.ceil(timing.wallMs.median) / 1000) * (memoryOf(module) / 1024);
  }
  const gbs = '$0.0000133334/GB-s';
  const lines = [
    line('API Gateway HTTP API requests', '$1.00/M', shape.httpRequests, PRICES.httpApiRequest),
    line(
      'API Gateway WebSocket messages (out + in)',
      '$1.00/M',
      posts + shape.websocket.clientMessages,
      PRICES.webSocketMessage,
    ),
    line(
      'API Gateway WebSocket connection minutes',
      '$0.25/M',
      shape.websocket.connectionMinutes,
      PRICES.webSocketConnectionMinute,
    ),
    line(
      'Lambda requests',
      '$0.20/M',
      Object.values(shape.invocations).reduce((a, b) => a + b, 0),
      PRICES.lambdaRequest,
    ),
    line('Lambda compute (handlers, arm64)', gbs, gbSeconds, PRICES.lambdaGbSecondArm64),
    line('SQS requests', '$0.40/M', sqsRequests(c), PRICES.sqsRequest),
    line(
      'DynamoDB write request units (AWS rules)',
      '$0.625/M',
      units(c, DYNAMODB_WRITES),
      PRICES.dynamoWriteUnit,
    ),
    line(
      'DynamoDB read request units (AWS rules)',
      '$0.125/M',
      units(c, DYNAMODB_READS),
      PRICES.dynamoReadUnit,
    ),
    line(
      'DynamoDB Streams reads by Lambda',
      'free',
      total(c, (k) => k.source === 'stream' && k.operation === 'GetRecords', 'items') /
        STREAM_CONSUMERS.length,
      0,
    ),
  ].map((l) => ({ ...l, usd: l.usd * 1e6 }));
  const agent = line(
    "Lambda compute (the agent's own run time)",
    gbs,
    shape.agentSecondsPerJob * (memoryOf('worker') / 1024),
    PRICES.lambdaGbSecondArm64 * 1e6,
  );
  const platform = sum(lines);
  const dynamoRules = sum(lines.filter((l) => l.item.startsWith('DynamoDB')));
  const dynamoLocal =
    1e6 *
    (units(c, DYNAMODB_WRITES, 'units') * PRICES.dynamoWriteUnit +
      units(c, DYNAMODB_READS, 'units') * PRICES.dynamoReadUnit);
  const workflow = standardWorkflowTransitions({
    runs: shape.attempts,
    progressUpdates: shape.progressUpdates,
    ...(shape.steps > 0 && { steps: shape.steps }),
  });
  return {
    shape: shape.shape,
    lines: [...lines, agent],
    platformUsdPerMillion: platform,
    agentComputeUsdPerMillion: agent.usd,
    totalUsdPerMillion: platform + agent.usd,
    /** The platform figure with DynamoDB Local's own units instead of AWS's rules (cross-check). */
    platformWithLocalUnitsUsdPerMillion: platform - dynamoRules + dynamoLocal,
    stepFunctions: {
      ...workflow,
      usdPerMillion: workflow.transitions * PRICES.stepFunctionsTransition * 1e6,
    },
  };
}

/**
 * What the stack costs with no jobs at all, per month: the SQS event sources' empty polls (`mappings` in
 * the template), the every-minute sweep (with its short polls of the tier DLQs) and the daily cleanup.
 */
function idleCost(requests: RequestsResult, memoryOf: (module: string) => number, mappings: number) {
  const emptyPolls = total(
    requests.idle.perSecond,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
  );
  const sweeps = SECONDS_PER_MONTH / 60;
  const { recover, fullRecover, recoverMs, fullRecoverMs, fullSweepEveryMinutes, cleanup, cleanupMs } =
    requests.maintenance;
  // Per sweep, averaged over the cycle: one full sweep every `fullSweepEveryMinutes`, the usual one otherwise.
  const fullShare = 1 / fullSweepEveryMinutes;
  const perSweep = (of: (counts: Counts) => number) =>
    (1 - fullShare) * of(recover) + fullShare * of(fullRecover);
  const sweepSqs = perSweep((counts) =>
    total(counts, (k) => k.source === 'functions' && k.service === 'SQS'),
  );
  const gbSeconds = (ms: number, module: string) => (Math.ceil(ms) / 1000) * (memoryOf(module) / 1024);
  const sweepGbSeconds =
    (1 - fullShare) * gbSeconds(recoverMs, 'maintenance/recover') +
    fullShare * gbSeconds(fullRecoverMs, 'maintenance/recover');
  const local = line(
    `SQS empty long polls (${requests.idle.pollLoops} poll loops, ${mappings} queues, as run locally)`,
    '$0.40/M',
    emptyPolls * SECONDS_PER_MONTH,
    PRICES.sqsRequest,
  );
  const lines = [
    // Lambda's own pollers: assumed 5 per SQS event source mapping while idle, each long-polling 20 s.
    line(
      `SQS empty long polls on AWS (assumed: 5 pollers × ${mappings} SQS event sources, 20 s polls)`,
      '$0.40/M',
      ((5 * mappings) / 20) * SECONDS_PER_MONTH,
      PRICES.sqsRequest,
    ),
    line('Maintenance sweeps (Lambda requests, every minute)', '$0.20/M', sweeps, PRICES.lambdaRequest),
    line(
      'Maintenance sweeps (SQS: short polls of the tier DLQs)',
      '$0.40/M',
      sweeps * sweepSqs,
      PRICES.sqsRequest,
    ),
    line(
      'Maintenance sweeps (Lambda compute)',
      '$0.0000133334/GB-s',
      sweeps * sweepGbSeconds,
      PRICES.lambdaGbSecondArm64,
    ),
    line(
      `Maintenance sweeps (DynamoDB read units; a full read every ${fullSweepEveryMinutes} minutes)`,
      '$0.125/M',
      sweeps * perSweep((counts) => units(counts, DYNAMODB_READS)),
      PRICES.dynamoReadUnit,
    ),
    line(
      'Daily cleanup (Lambda request, compute, read units)',
      'mixed',
      30,
      PRICES.lambdaRequest +
        gbSeconds(cleanupMs, 'maintenance/cleanup') * PRICES.lambdaGbSecondArm64 +
        units(cleanup, DYNAMODB_READS) * PRICES.dynamoReadUnit,
    ),
  ];
  // The local and the AWS poll estimates are alternatives: the total counts the AWS one.
  return { lines: [local, ...lines], usdPerMonth: sum(lines) };
}

export type CostResult = Awaited<ReturnType<typeof run>>;

export function render(result: CostResult): string {
  const { shapes } = result;
  const cells = (f: (s: CostResult['shapes'][number]) => string) => shapes.map(f);
  const out = [
    heading(`[cost] Cost per million jobs on AWS (prices: ${result.priceDate})`),
    table(
      ['per million jobs', 'unit price', ...shapes.map((s) => s.shape)],
      [
        ...(shapes[0]?.lines ?? []).map((first, i) => [
          first.item,
          first.unitPrice,
          ...cells(
            (s) => `${usd(s.lines[i]?.usd ?? Number.NaN)} (${num(s.lines[i]?.quantity ?? Number.NaN, 3)})`,
          ),
        ]),
        ['platform (all but the agent’s run time)', '', ...cells((s) => usd(s.platformUsdPerMillion))],
        [
          "  … with DynamoDB Local's units (cross-check)",
          '',
          ...cells((s) => usd(s.platformWithLocalUnitsUsdPerMillion)),
        ],
        ['total', '', ...cells((s) => usd(s.totalUsdPerMillion))],
        [
          'Step Functions Standard, transitions alone',
          '$25/M',
          ...cells((s) => `${usd(s.stepFunctions.usdPerMillion)} (${s.stepFunctions.transitions})`),
        ],
        [
          'Step Functions ÷ this queue’s platform cost',
          '',
          ...cells((s) => `${num(s.stepFunctions.usdPerMillion / s.platformUsdPerMillion, 1)}×`),
        ],
      ],
    ),
    '(quantity per job in parentheses; for Step Functions, state transitions per job)',
    ...shapes.map(
      (s) =>
        `Step Functions model for ${s.shape}: ${s.stepFunctions.breakdown.map((b) => `${b.state} ${num(b.count, 2)}`).join(' + ')} = ${num(s.stepFunctions.transitions, 2)} transitions`,
    ),
    '\nIdle cost per month (no jobs):',
    table(
      ['item', 'unit price', 'quantity/month', 'per month'],
      result.idle.lines.map((l) => [l.item, l.unitPrice, num(l.quantity, 0), usd(l.usd)]),
    ),
    `Idle total (with the AWS poll estimate): ${usd(result.idle.usdPerMonth)} per month`,
  ];
  const sizes = [...new Set(result.memory.map((fn) => fn.memoryMb))];
  out.push(
    `Memory from the synthesized template: ${sizes.map((mb) => `${mb} MB: ${result.memory.filter((fn) => fn.memoryMb === mb).length} functions`).join(', ')} (worker ${result.memory.find((fn) => fn.module === 'worker')?.memoryMb} MB), ${result.memory[0]?.architecture}, ${result.memory[0]?.runtime}.`,
    'Assumptions:',
    ...result.assumptions.map((a) => `- ${a}`),
  );
  return out.join('\n');
}
