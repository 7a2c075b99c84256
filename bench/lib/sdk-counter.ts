/**
 * Counts every AWS SDK request made in this process, by who made it (the functions, the local event
 * sources, setup, the bench itself), service and operation, with the DynamoDB capacity units that
 * DynamoDB Local reports.
 *
 * The counter is an SDK middleware (step `initialize`) added to each client's `middlewareStack`. The
 * functions' clients are module singletons (functions/wiring/dynamo-client.ts and sqs-client.ts, the realtime poster's management
 * API client) and are tagged by identity; the local stack also creates clients of its own that the bench
 * cannot reach (the SQS pollers, the stream readers), so the middleware is attached to every client the
 * first time it sends: `install()` wraps the `send` of the SDK's base client class, which every v3 client
 * shares, and only adds the middleware there.
 *
 * DynamoDB commands get `ReturnConsumedCapacity: 'INDEXES'` unless the caller asked for something, and the
 * `ConsumedCapacity` of the output (an object, or an array for batch and transaction calls) is summed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Who made a request; only `functions` and `event-source` requests are billed as the product's. */
export type Source = 'functions' | 'event-source' | 'stream' | 'setup' | 'bench';

export interface OperationTotals {
  calls: number;
  errors: number;
  /** Failed condition checks (ConditionalCheckFailed, TransactionCanceled): billed on AWS, no units reported. */
  conditionFailures: number;
  /** Capacity units as DynamoDB Local reports them (read units for reads, write units for writes). */
  units: number;
  /** The part of `units` spent on global secondary indexes (DynamoDB Local's INDEXES breakdown). */
  indexUnits: number;
  /** Reads that reported 0 units (an empty query, a missing item): AWS bills a minimum for these. */
  zeroUnitReads: number;
  /** Units with AWS's per-request minimums applied (see `awsUnits`). */
  awsUnits: number;
  /** Messages received (SQS) or records read (streams). */
  items: number;
  /** Receives / GetRecords that returned nothing. */
  empty: number;
}

export type Counts = Record<string, OperationTotals>;

export interface CountKey {
  source: Source;
  service: string;
  operation: string;
}

const SERVICE: Record<string, string> = {
  DynamoDBClient: 'DynamoDB',
  DynamoDBStreamsClient: 'DynamoDB Streams',
  SQSClient: 'SQS',
  ApiGatewayManagementApiClient: 'Management API',
};

export const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
export const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const CAPACITY_OPERATIONS = new Set([...DYNAMODB_READS, ...DYNAMODB_WRITES]);
/** What an SQS event source mapping calls; anything else on an untagged SQS client is setup. */
const EVENT_SOURCE_SQS = new Set(['ReceiveMessage', 'DeleteMessageBatch', 'DeleteMessage']);

export const keyOf = ({ source, service, operation }: CountKey): string =>
  `${source}|${service}|${operation}`;
export function parseKey(key: string): CountKey {
  const [source, service, operation] = key.split('|');
  return { source: source as Source, service: service ?? '', operation: operation ?? '' };
}

const emptyTotals = (): OperationTotals => ({
  calls: 0,
  errors: 0,
  conditionFailures: 0,
  units: 0,
  indexUnits: 0,
  zeroUnitReads: 0,
  awsUnits: 0,
  items: 0,
  empty: 0,
});

interface Capacity {
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Total and GSI units of a ConsumedCapacity (an object, or an array for batch and transaction calls). */
function sumCapacity(consumed: unknown): { units: number; indexUnits: number } {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  let units = 0;
  let indexUnits = 0;
  for (const entry of list) {
    units += entry.CapacityUnits ?? 0;
    for (const index of Object.values(entry.GlobalSecondaryIndexes ?? {}))
      indexUnits += index.CapacityUnits ?? 0;
  }
  return { units, indexUnits };
}

/**
 * The least AWS bills for a read request: an eventually consistent read of nothing still costs 0.5 read
 * units, a strongly consistent one 1, a transactional one 2 per item (documented for GetItem of a missing
 * item; assumed for a Query that matches nothing, which DynamoDB Local reports as 0).
 */
function minimumReadUnits(operation: string, input: Record<string, unknown>): number {
  if (operation === 'TransactGetItems')
    return 2 * ((input.TransactItems as unknown[] | undefined)?.length ?? 1);
  if (operation === 'BatchGetItem') {
    const tables = Object.values((input.RequestItems ?? {}) as Record<string, { ConsistentRead?: boolean }>);
    return tables.some((table) => table.ConsistentRead) ? 1 : 0.5;
  }
  return input.ConsistentRead === true ? 1 : 0.5;
}

/** Write units a failed conditional write is billed for (item under 1 KB; transactions bill 2 per item). */
function failedWriteUnits(operation: string, input: Record<string, unknown>): number {
  if (operation === 'TransactWriteItems')
    return 2 * ((input.TransactItems as unknown[] | undefined)?.length ?? 1);
  return 1;
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');

interface SdkClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

export class SdkCounter {
  readonly #totals = new Map<string, OperationTotals>();
  readonly #tags = new WeakMap<object, Source>();
  readonly #attached = new WeakSet<object>();
  #installed = false;

  /** Attaches the counter to every SDK client of this process when it first sends. Idempotent. */
  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    // DynamoDBClient → the SDK's base Client class, shared by every v3 client (one @smithy/core copy).
    const base = Object.getPrototypeOf(DynamoDBClient.prototype) as {
      send: (this: SdkClient, ...args: unknown[]) => unknown;
    };
    const send = base.send;
    const attach = (client: SdkClient) => this.attach(client);
    base.send = function (this: SdkClient, ...args: unknown[]) {
      attach(this);
      return send.apply(this, args);
    };
  }

  /** Marks whose requests a client makes (the functions' shared clients, the bench's own). */
  tag(client: object, source: Source): void {
    this.#tags.set(client, source);
    this.attach(client as SdkClient);
  }

  attach(client: SdkClient): void {
    if (this.#attached.has(client)) return;
    this.#attached.add(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const service = SERVICE[context.clientName ?? ''] ?? context.clientName ?? 'unknown';
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const dynamodb = service === 'DynamoDB';
        const input =
          dynamodb && CAPACITY_OPERATIONS.has(operation) && args.input.ReturnConsumedCapacity === undefined
            ? { ...args.input, ReturnConsumedCapacity: 'INDEXES' }
            : args.input;
        const totals = this.#totalsFor(client, service, operation, args.input);
        totals.calls++;
        try {
          const result = await next({ ...args, input });
          this.#record(totals, service, operation, input, result.output);
          return result;
        } catch (error) {
          totals.errors++;
          if (dynamodb && isConditionFailure(error)) {
            totals.conditionFailures++;
            totals.awsUnits += failedWriteUnits(operation, input);
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestCounter', priority: 'high' },
    );
  }

  #totalsFor(client: object, service: string, operation: string, input: Record<string, unknown>) {
    const source = this.#tags.get(client) ?? defaultSource(service, operation);
    // Dead-letter queue polls are a separate line: their event sources exist whether or not jobs fail.
    const queueUrl = typeof input.QueueUrl === 'string' ? input.QueueUrl : '';
    const detail = service === 'SQS' && queueUrl.endsWith('-dlq') ? `${operation} (DLQ)` : operation;
    const key = keyOf({ source, service, operation: detail });
    let totals = this.#totals.get(key);
    if (!totals) {
      totals = emptyTotals();
      this.#totals.set(key, totals);
    }
    return totals;
  }

  #record(
    totals: OperationTotals,
    service: string,
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): void {
    if (service === 'DynamoDB' && CAPACITY_OPERATIONS.has(operation)) {
      const { units, indexUnits } = sumCapacity(output.ConsumedCapacity);
      totals.units += units;
      totals.indexUnits += indexUnits;
      if (DYNAMODB_READS.has(operation)) {
        if (units === 0) totals.zeroUnitReads++;
        totals.awsUnits += Math.max(units, minimumReadUnits(operation, input));
      } else {
        totals.awsUnits += units;
      }
    }
    if (service === 'SQS' && operation === 'ReceiveMessage') {
      const messages = (output.Messages as unknown[] | undefined)?.length ?? 0;
      totals.items += messages;
      if (messages === 0) totals.empty++;
    }
    if (service === 'DynamoDB Streams' && operation === 'GetRecords') {
      const records = (output.Records as unknown[] | undefined)?.length ?? 0;
      totals.items += records;
      if (records === 0) totals.empty++;
    }
  }

  snapshot(): Counts {
    return Object.fromEntries([...this.#totals].map(([key, totals]) => [key, { ...totals }]));
  }
}

function defaultSource(service: string, operation: string): Source {
  if (service === 'DynamoDB Streams') return 'stream';
  if (service === 'Management API') return 'functions';
  if (service === 'SQS') return EVENT_SOURCE_SQS.has(operation) ? 'event-source' : 'setup';
  return 'setup';
}

/** after − before, per key; keys with no calls in between are left out. */
export function diff(after: Counts, before: Counts): Counts {
  const result: Counts = {};
  for (const [key, totals] of Object.entries(after)) {
    const was = before[key] ?? emptyTotals();
    const delta = Object.fromEntries(
      Object.entries(totals).map(([field, value]) => [field, value - was[field as keyof OperationTotals]]),
    ) as unknown as OperationTotals;
    if (delta.calls !== 0) result[key] = delta;
  }
  return result;
}

/** Each figure divided by `n` (per job). */
export function scale(counts: Counts, factor: number): Counts {
  return Object.fromEntries(
    Object.entries(counts).map(([key, totals]) => [
      key,
      Object.fromEntries(
        Object.entries(totals).map(([field, value]) => [field, value * factor]),
      ) as unknown as OperationTotals,
    ]),
  );
}

/** Calls summed over the keys that match. */
export function total(
  counts: Counts,
  match: (key: CountKey) => boolean,
  field: keyof OperationTotals = 'calls',
): number {
  return Object.entries(counts)
    .filter(([key]) => match(parseKey(key)))
    .reduce((sum, [, totals]) => sum + totals[field], 0);
}

/** Tags the functions' shared clients; they exist once their config modules are loaded (the stack does). */
export async function tagFunctionClients(counter: SdkCounter): Promise<void> {
  const { dynamoClient } = await import('../../functions/wiring/dynamo-client.ts');
  const { sqsClient } = await import('../../functions/wiring/sqs-client.ts');
  counter.tag(dynamoClient, 'functions');
  counter.tag(sqsClient, 'functions');
  if (process.env.WS_MANAGEMENT_ENDPOINT) {
    const { managementApi } = await import('../../functions/wiring/realtime-poster.ts');
    counter.tag(managementApi, 'functions');
  }
}
