/**
 * Section 2: cost per million jobs on AWS, from the request counts of section 1 (requests), the handler
 * durations of section 3 (overhead), the functions' memory in the synthesized template and the price
 * table in lib/prices.ts; beside it the same lifecycle as a Step Functions Standard workflow
 * (lib/step-functions.ts).
 *
 * Per job, for each shape:
 * - HTTP API: the requests the client made (one POST /jobs);
 * - WebSocket: messages both ways (PostToConnection frames + the client's subscribe) and connection minutes;
 * - Lambda: one request per invocation (each HTTP request runs the authorizer and the route's function,
 *   each delivered message one worker run, each non-empty stream batch the notifier and the dependency
 *   resolver, each WebSocket connection its authorizer, $connect and $disconnect, each client message the
 *   message handler), and GB-seconds = invocations × the median measured duration (rounded up to 1 ms, as
 *   Lambda bills) × the function's memory; the agent's own run time (demo/sleep's 10 s) is a line of its own;
 * - SQS: the functions' requests plus what the event source mapping does per delivery (the receive that
 *   returned the message, the delete); its empty long polls are the idle background, reported per month;
 * - DynamoDB: the read and write units of the functions' requests, with AWS's per-request minimums (see
 *   lib/sdk-counter.ts); stream reads by Lambda are free.
 */

import { PRICE_DATE, PRICES, SECONDS_PER_MONTH } from '../lib/prices.ts';
import type {
  CostLine,
  CostResult,
  FunctionMemory,
  IdleLine,
  InvocationTiming,
  OverheadResult,
  RequestsResult,
  SectionContext,
  ShapeCost,
  ShapeResult,
} from '../lib/results.ts';
import { type Counts, DYNAMODB_READS, DYNAMODB_WRITES, total } from '../lib/sdk-counter.ts';
import { standardWorkflowTransitions } from '../lib/step-functions.ts';
import { synthesize } from '../lib/synth.ts';

/** Which overhead measurement stands for an invocation of each function. */
const TIMING_FOR: Record<string, string> = {
  authorizer: 'HTTP authorizer',
  'api/submit-job': 'POST /jobs',
  worker: 'worker (demo/echo)',
  notifier: 'notifier, nobody subscribed',
  dependencies: 'dependency resolver',
  'dead-letter': 'dependency resolver',
  'ws/authorizer': 'WebSocket authorizer',
  'ws/connect': 'WebSocket $connect',
  'ws/message': 'WebSocket subscribe',
  'ws/disconnect': 'WebSocket $disconnect',
};

const perMillion = (perJob: number) => perJob * 1e6;

export async function run(ctx: SectionContext): Promise<CostResult> {
  const requests = ctx.previous.requests;
  const overhead = ctx.previous.overhead;
  if (!requests || !overhead) throw new Error('cost needs the results of the requests and overhead sections');
  ctx.log('cost: synthesizing the CDK stack for the functions’ memory settings');
  const memory: FunctionMemory[] = synthesize({ bundle: false }).map(
    ({ module, memoryMb, architecture, runtime }) => ({
      module,
      memoryMb,
      architecture,
      runtime,
    }),
  );
  const memoryOf = (module: string) => {
    const found = memory.find((fn) => fn.module === module);
    if (!found) throw new Error(`no function for handler module ${module} in the template`);
    return found.memoryMb;
  };
  const shapes = requests.shapes.map((shape) => shapeCost(shape, overhead, memoryOf));
  const sizes = requests.shapes.map((shape) => shape.itemBytes);
  const itemSizes = `${Math.min(...sizes)}-${Math.max(...sizes)}`;
  return {
    priceDate: PRICE_DATE,
    memory,
    shapes,
    idle: idleCost(requests, memoryOf),
    assumptions: [
      'Lambda duration per invocation = the median wall time of the same handler measured in-process against the local emulators (section overhead), rounded up to 1 ms; on AWS the DynamoDB round trips differ and a 512 MB function gets about a third of a vCPU, so CPU-heavy steps take longer.',
      'The notifier of a watched job (demo/sleep) is costed with the one-subscriber measurement, of the others with the nobody-subscribed one.',
      `DynamoDB units are those DynamoDB Local reports, plus the minimum AWS bills for reads that return nothing (0.5, or 1 when strongly consistent) and 1 WRU per failed conditional write. Inside transactions DynamoDB Local reports 4 write units for the job item (as if it were 2 KB) and 4 per global secondary index entry written, although a job item is ${itemSizes} bytes by DynamoDB's sizing rules (1 KB: 2 units in a transaction) and a KEYS_ONLY/INCLUDE index entry far less; the AWS bill for writes is likely lower, by up to half. The line "if GSI entries are billed at their own size" halves the index share only.`,
      'SQS: one request per call (every payload here is far below 64 KB). The event source mapping’s receive that delivered a message and its delete are per job; its empty long polls are in the idle line.',
      'WebSocket: one message per frame sent (PostToConnection) or received; connection minutes rounded up per connection. The watching client connects for its job only (a dashboard that stays connected would share the connection cost).',
      'Not included: CloudWatch Logs ingestion ($0.50/GB; each function logs JSON lines at LOG_LEVEL), data transfer, and free tiers.',
    ],
  };
}

function shapeCost(
  shape: ShapeResult,
  overhead: OverheadResult,
  memoryOf: (module: string) => number,
): ShapeCost {
  const counts = shape.perJob;
  const lines: CostLine[] = [];
  const add = (item: string, unitPrice: string, quantityPerJob: number, price: number) =>
    lines.push({ item, unitPrice, quantityPerJob, usdPerMillionJobs: perMillion(quantityPerJob * price) });

  add('API Gateway HTTP API requests', '$1.00/M', shape.httpRequests, PRICES.httpApiRequest);
  const posts = total(counts, (k) => k.source === 'functions' && k.operation === 'PostToConnection');
  add(
    'API Gateway WebSocket messages (out + in)',
    '$1.00/M',
    posts + shape.websocket.clientMessages,
    PRICES.webSocketMessage,
  );
  add(
    'API Gateway WebSocket connection minutes',
    '$0.25/M',
    shape.websocket.connectionMinutes,
    PRICES.webSocketConnectionMinute,
  );

  const invocations = Object.values(shape.invocations).reduce((sum, count) => sum + count, 0);
  add('Lambda requests', '$0.20/M', invocations, PRICES.lambdaRequest);
  let gbSeconds = 0;
  for (const [module, count] of Object.entries(shape.invocations)) {
    if (count === 0) continue;
    const timing = timingFor(overhead, module, shape);
    gbSeconds += count * (Math.ceil(timing.wallMs.median) / 1000) * (memoryOf(module) / 1024);
  }
  add('Lambda compute (handlers, arm64)', '$0.0000133334/GB-s', gbSeconds, PRICES.lambdaGbSecondArm64);
  const agentGbSeconds = shape.agentSecondsPerJob * (memoryOf('worker') / 1024);
  add(
    "Lambda compute (the agent's own run time)",
    '$0.0000133334/GB-s',
    agentGbSeconds,
    PRICES.lambdaGbSecondArm64,
  );

  add('SQS requests', '$0.40/M', sqsRequests(counts), PRICES.sqsRequest);
  add(
    'DynamoDB write request units',
    '$0.625/M',
    dynamoUnits(counts, DYNAMODB_WRITES),
    PRICES.dynamoWriteUnit,
  );
  add('DynamoDB read request units', '$0.125/M', dynamoUnits(counts, DYNAMODB_READS), PRICES.dynamoReadUnit);
  const streamRecords =
    total(counts, (k) => k.source === 'stream' && k.operation === 'GetRecords', 'items') / 2;
  add('DynamoDB Streams reads by Lambda', 'free', streamRecords, PRICES.dynamoStreamRead);

  const writeUnits = dynamoUnits(counts, DYNAMODB_WRITES);
  const indexWriteUnits = total(
    counts,
    (k) => k.source === 'functions' && k.service === 'DynamoDB' && DYNAMODB_WRITES.has(k.operation),
    'indexUnits',
  );
  const agent =
    lines.find((line) => line.item.startsWith("Lambda compute (the agent's"))?.usdPerMillionJobs ?? 0;
  const all = lines.reduce((sum, line) => sum + line.usdPerMillionJobs, 0);
  const workflow = standardWorkflowTransitions({
    runs: shape.attempts,
    progressUpdates: shape.progressUpdates,
  });
  return {
    shape: shape.shape,
    lines,
    platformUsdPerMillion: all - agent,
    agentComputeUsdPerMillion: agent,
    totalUsdPerMillion: all,
    // DynamoDB Local bills an index entry like the whole (1-2 KB) item: 2 units where AWS bills 1.
    dynamoWritesGsiOwnSizeUsdPerMillion: perMillion(
      (writeUnits - indexWriteUnits / 2) * PRICES.dynamoWriteUnit,
    ),
    stepFunctions: {
      transitions: workflow.transitions,
      breakdown: workflow.breakdown,
      usdPerMillion: perMillion(workflow.transitions * PRICES.stepFunctionsTransition),
    },
  };
}

function timingFor(overhead: OverheadResult, module: string, shape: ShapeResult): InvocationTiming {
  const name =
    module === 'notifier' && shape.websocket.connections > 0
      ? 'notifier, one subscriber'
      : TIMING_FOR[module];
  const timing = overhead.handlers.find((handler) => handler.name === name);
  if (!timing) throw new Error(`no overhead measurement "${name}" for ${module}`);
  return timing;
}

/** The functions' SQS calls, plus the event source's receive per delivered message and its deletes. */
function sqsRequests(counts: Counts): number {
  const functions = total(counts, (k) => k.source === 'functions' && k.service === 'SQS');
  const receives = total(
    counts,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
  );
  const emptyReceives = total(
    counts,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
    'empty',
  );
  const deletes = total(counts, (k) => k.source === 'event-source' && k.operation.startsWith('Delete'));
  return functions + (receives - emptyReceives) + deletes;
}

function dynamoUnits(counts: Counts, operations: Set<string>): number {
  return total(
    counts,
    (k) => k.source === 'functions' && k.service === 'DynamoDB' && operations.has(k.operation),
    'awsUnits',
  );
}

/** What the stack costs with no jobs at all, per month: the event sources' empty polls and the schedules. */
function idleCost(requests: RequestsResult, memoryOf: (module: string) => number): CostResult['idle'] {
  const lines: IdleLine[] = [];
  const perMonth = (item: string, unitPrice: string, quantity: number, price: number) =>
    lines.push({ item, unitPrice, quantityPerMonth: quantity, usdPerMonth: quantity * price });
  const emptyPollsPerSecond = total(
    requests.idle.perSecond,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
  );
  perMonth(
    `SQS empty long polls (${requests.idle.pollLoops} poll loops, 8 queues, as run locally)`,
    '$0.40/M',
    emptyPollsPerSecond * SECONDS_PER_MONTH,
    PRICES.sqsRequest,
  );
  // Lambda's own pollers: assumed 5 per event source mapping while idle, each long-polling 20 s.
  perMonth(
    'SQS empty long polls on AWS (assumed: 5 pollers × 8 event sources, 20 s polls)',
    '$0.40/M',
    ((5 * 8) / 20) * SECONDS_PER_MONTH,
    PRICES.sqsRequest,
  );
  const sweepsPerMonth = SECONDS_PER_MONTH / 60;
  const { recover, cleanup, recoverMs, cleanupMs } = requests.maintenance;
  perMonth(
    'Maintenance sweeps (Lambda requests, every minute)',
    '$0.20/M',
    sweepsPerMonth,
    PRICES.lambdaRequest,
  );
  perMonth(
    'Maintenance sweeps (Lambda compute)',
    '$0.0000133334/GB-s',
    sweepsPerMonth * (Math.ceil(recoverMs) / 1000) * (memoryOf('maintenance/recover') / 1024),
    PRICES.lambdaGbSecondArm64,
  );
  perMonth(
    'Maintenance sweeps (DynamoDB read units)',
    '$0.125/M',
    sweepsPerMonth * dynamoUnits(recover, DYNAMODB_READS),
    PRICES.dynamoReadUnit,
  );
  const cleanupsPerMonth = 30;
  perMonth(
    'Daily cleanup (Lambda request, compute, read units)',
    'mixed',
    cleanupsPerMonth,
    PRICES.lambdaRequest +
      (Math.ceil(cleanupMs) / 1000) * (memoryOf('maintenance/cleanup') / 1024) * PRICES.lambdaGbSecondArm64 +
      dynamoUnits(cleanup, DYNAMODB_READS) * PRICES.dynamoReadUnit,
  );
  // The local and the AWS poll estimates are alternatives: the total counts the AWS one.
  const counted = lines.filter((line) => !line.item.includes('as run locally'));
  return { lines, usdPerMonth: counted.reduce((sum, line) => sum + line.usdPerMonth, 0) };
}
