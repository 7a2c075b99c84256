/** Console report of section 1 (requests per job). */
import type { RequestsResult, ShapeResult } from '../lib/results.ts';
import { type Counts, DYNAMODB_READS, DYNAMODB_WRITES, parseKey, total } from '../lib/sdk-counter.ts';
import { type Cell, heading, num, table } from '../lib/table.ts';

/** Per-job rows of the billable requests: the functions' calls and the SQS event source's work per message. */
function requestRows(shape: ShapeResult): Cell[][] {
  const rows: Cell[][] = [];
  for (const [key, totals] of Object.entries(shape.perJob).sort(([a], [b]) => a.localeCompare(b))) {
    const { source, service, operation } = parseKey(key);
    if (source !== 'functions' && source !== 'event-source') continue;
    const isRead = DYNAMODB_READS.has(operation);
    const isWrite = DYNAMODB_WRITES.has(operation);
    const receive = operation.startsWith('ReceiveMessage');
    // Receives: only those that delivered a message are the job's; the empty ones are the idle background.
    const calls = receive ? totals.calls - totals.empty : totals.calls;
    if (calls === 0) continue;
    rows.push([
      source === 'functions' ? 'function' : 'event source',
      service,
      receive ? `${operation} (delivering)` : operation,
      num(calls, 2),
      isRead ? num(totals.units, 2) : '',
      isWrite ? num(totals.units, 2) : '',
      service === 'DynamoDB' && totals.indexUnits > 0 ? num(totals.indexUnits, 2) : '',
      service === 'DynamoDB' && totals.awsUnits !== totals.units ? num(totals.awsUnits, 2) : '',
    ]);
  }
  return rows;
}

export function summaryRows(shapes: ShapeResult[]): Cell[][] {
  const each = (f: (shape: ShapeResult) => number, digits = 2) =>
    shapes.map((shape) => num(f(shape), digits));
  const counts = (shape: ShapeResult): Counts => shape.perJob;
  const dynamo = (shape: ShapeResult, ops: Set<string>, field: 'calls' | 'units' | 'awsUnits') =>
    total(
      counts(shape),
      (k) => k.source === 'functions' && k.service === 'DynamoDB' && ops.has(k.operation),
      field,
    );
  return [
    ['HTTP API requests', ...each((s) => s.httpRequests)],
    ['Lambda invocations', ...each((s) => Object.values(s.invocations).reduce((a, b) => a + b, 0))],
    [
      'SQS requests (functions + event source per delivery)',
      ...each(
        (s) =>
          total(counts(s), (k) => k.source === 'functions' && k.service === 'SQS') +
          total(counts(s), (k) => k.source === 'event-source') -
          total(counts(s), (k) => k.source === 'event-source', 'empty'),
      ),
    ],
    ['DynamoDB read requests', ...each((s) => dynamo(s, DYNAMODB_READS, 'calls'))],
    ['DynamoDB read units (DynamoDB Local)', ...each((s) => dynamo(s, DYNAMODB_READS, 'units'))],
    ['DynamoDB read units (with AWS minimums)', ...each((s) => dynamo(s, DYNAMODB_READS, 'awsUnits'))],
    ['DynamoDB write requests', ...each((s) => dynamo(s, DYNAMODB_WRITES, 'calls'))],
    ['DynamoDB write units (DynamoDB Local)', ...each((s) => dynamo(s, DYNAMODB_WRITES, 'units'))],
    [
      'Management API posts (frames out)',
      ...each((s) => total(counts(s), (k) => k.operation === 'PostToConnection')),
    ],
    ['WebSocket client messages (in)', ...each((s) => s.websocket.clientMessages)],
    [
      'Stream records read (free)',
      ...each(
        (s) => total(counts(s), (k) => k.source === 'stream' && k.operation === 'GetRecords', 'items') / 2,
      ),
    ],
  ];
}

export function renderRequests(result: RequestsResult): string {
  const out: string[] = [
    heading('[requests] Billable AWS requests per job (local stack, SDK middleware on every client)'),
  ];
  out.push(
    table(
      ['per job', ...result.shapes.map((shape) => shape.shape)],
      [
        ['jobs run / window', ...result.shapes.map((s) => `${s.jobs} / ${num(s.windowSeconds, 1)} s`)],
        ['runs per job', ...result.shapes.map((s) => num(s.attempts, 2))],
        ...summaryRows(result.shapes),
      ],
    ),
  );
  for (const shape of result.shapes) {
    out.push(
      `\n${shape.shape}: ${shape.description} (${shape.jobs} jobs, ${Object.entries(shape.statuses)
        .map(([status, count]) => `${count} ${status}`)
        .join(', ')}; a finished job's item is ${num(shape.itemBytes, 0)} bytes by DynamoDB's sizing rules)`,
    );
    out.push(
      table(
        ['by', 'service', 'operation', 'calls/job', 'RRU/job', 'WRU/job', 'of which GSI', 'AWS units'],
        requestRows(shape),
      ),
    );
    const invocations = Object.entries(shape.invocations)
      .filter(([, count]) => count > 0)
      .map(([module, count]) => `${module} ${num(count, 2)}`)
      .join(', ');
    out.push(`Lambda invocations/job: ${invocations}`);
    if (shape.websocket.connections > 0)
      out.push(
        `WebSocket/job: ${num(shape.websocket.connections, 2)} connection, ${num(shape.websocket.clientMessages, 2)} message in, ${num(shape.websocket.framesReceived, 2)} frames received, ${num(shape.websocket.connectionMinutes, 2)} connection-minute(s)`,
      );
    out.push(
      `Background in the window (not per job): ${shape.background.emptyReceives} empty receives (idle rate × window: ${num(shape.background.idleReceivesExpected, 0)}; the SQS emulator also wakes every waiting long poll per message), ${shape.background.emptyStreamReads} empty stream reads (free)`,
    );
  }
  const idleReceives = total(
    result.idle.perSecond,
    (k) => k.source === 'event-source' && k.operation.startsWith('ReceiveMessage'),
  );
  const idleStream = total(result.idle.perSecond, (k) => k.source === 'stream');
  const sweepReads = total(result.maintenance.recover, (k) => k.source === 'functions');
  const sweepUnits = total(result.maintenance.recover, (k) => k.source === 'functions', 'awsUnits');
  const cleanupReads = total(result.maintenance.cleanup, (k) => k.source === 'functions');
  out.push(
    `\nIdle background (${result.idle.windowSeconds} s window, no jobs): ${num(idleReceives, 2)} empty SQS receives/s from ${result.idle.pollLoops} poll loops (billed on AWS), ${num(idleStream, 1)} stream API calls/s (free).`,
    `One maintenance sweep (every minute on AWS): ${sweepReads} DynamoDB requests, ${num(sweepUnits, 1)} read units with AWS minimums (${num(result.maintenance.recoverMs, 0)} ms); one cleanup sweep (daily): ${cleanupReads} requests (${num(result.maintenance.cleanupMs, 0)} ms).`,
  );
  if (result.errors.length > 0)
    out.push(`The stack reported ${result.errors.length} error(s), e.g. ${result.errors[0]}`);
  return out.join('\n');
}
