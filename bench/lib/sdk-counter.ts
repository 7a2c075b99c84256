/**
 * Counts every AWS SDK request made in this process, by who made it (the functions, the local event
 * sources, setup, the bench), service and operation, with DynamoDB's units two ways: as DynamoDB Local
 * reports them (`units`, `indexUnits`) and by AWS's rules (`awsUnits`, `awsIndexUnits`; lib/dynamo-pricing.ts).
 *
 * The counter is an SDK middleware (step `initialize`) on each client's `middlewareStack`. The functions'
 * clients are module singletons (functions/wiring/) tagged by identity; the local stack's own clients (SQS
 * pollers, stream readers) are reached by wrapping `send` of the SDK's base client class, which attaches
 * the middleware on first use.
 *
 * Writes by AWS's rules need the item before and after each write. With `priceWrites()` the counter keeps a
 * shadow of every item image it has seen written in this process: a Put's item, an Update's new image (it
 * asks for `ReturnValues: ALL_NEW` when the caller asked for nothing, and hides it from the caller again),
 * and, where no image comes back (an Update inside a transaction, or one whose caller asked for old
 * values), a consistent GetItem right after the write, which is not counted. The old image is the shadow's.
 * Exact when every write of an item goes through this process (the requests section: fresh in-memory
 * tables); an approximation when two writes of one item overlap (the image read after a transaction may
 * already hold a later write) or for items written before the counter was installed (seen as new).
 * Reads are priced from the items returned, and never below DynamoDB Local's figure (a filtered or COUNT
 * query reads items it does not return).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type Item, itemBytes, keyOfItem, priceRead, priceWrite, tableOf } from './dynamo-pricing.ts';
import type { MiddlewareClient } from './in-flight.ts';

/** Who made a request; only `functions` and `event-source` requests are the product's. `partition`:
 * write/read units per partition key value (the functions' requests, with `priceWrites()`). */
export type Source = 'functions' | 'event-source' | 'stream' | 'setup' | 'bench' | 'partition';

const FIELDS = [
  'calls',
  'errors',
  'conditionFailures',
  'units',
  'indexUnits',
  'awsUnits',
  'awsIndexUnits',
  'items',
  'empty',
] as const;
/** calls/errors; failed condition checks; units as DynamoDB Local reports them and of them GSI; the same
 * by AWS's rules; SQS messages received or stream records read; receives/GetRecords that returned nothing. */
export type OperationTotals = Record<(typeof FIELDS)[number], number>;
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
const EVENT_SOURCE_SQS = new Set(['ReceiveMessage', 'DeleteMessageBatch', 'DeleteMessage']);

export const keyOf = ({ source, service, operation }: CountKey) => `${source}|${service}|${operation}`;
export function parseKey(key: string): CountKey {
  const [source, service = '', ...operation] = key.split('|');
  return { source: source as Source, service, operation: operation.join('|') };
}
const emptyTotals = () => Object.fromEntries(FIELDS.map((f) => [f, 0])) as OperationTotals;

// biome-ignore lint/suspicious/noExplicitAny: the inputs and outputs of every SDK command
type Input = Record<string, any>;
type Middleware = (args: { input: Input }) => Promise<{ output: Input }>;
interface SdkClient {
  send(command: unknown): Promise<Input>;
  middlewareStack: {
    add(
      middleware: (next: Middleware, context: { clientName?: string; commandName?: string }) => Middleware,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

function sumCapacity(consumed: unknown): { units: number; indexUnits: number } {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Input[];
  let units = 0;
  let indexUnits = 0;
  for (const entry of list) {
    units += entry.CapacityUnits ?? 0;
    for (const index of Object.values(entry.GlobalSecondaryIndexes ?? {}) as Input[])
      indexUnits += index.CapacityUnits ?? 0;
  }
  return { units, indexUnits };
}

/** Job ids and other per-request tokens in a key become `{id}`: a key of its own per job is never hot. */
const keyClass = (value: string) =>
  value
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}')
    .replace(/[A-Za-z0-9_=-]{20,}/g, '{id}');

/** The partition key value a Query reads (its key condition `pk = :v`). */
function queryPartition(input: Input): string | undefined {
  const table = tableOf(input.TableName ?? '');
  const index = table?.globalSecondaryIndexes.find((i) => i.indexName === input.IndexName);
  const pk = (index ?? table)?.partitionKey.name;
  for (const [, name, value] of String(input.KeyConditionExpression ?? '').matchAll(
    /([#\w]+)\s*=\s*(:\w+)/g,
  )) {
    const resolved = input.ExpressionAttributeNames?.[name as string] ?? name;
    if (resolved === pk)
      return `${input.IndexName ?? table?.id} ${input.ExpressionAttributeValues?.[value as string]?.S}`;
  }
  return undefined;
}

export class SdkCounter {
  readonly #totals = new Map<string, OperationTotals>();
  readonly #tags = new WeakMap<object, Source>();
  readonly #attached = new WeakSet<object>();
  readonly #internal = new WeakSet<object>();
  readonly #shadow = new Map<string, Item>();
  #installed = false;
  #pricing = false;

  /** Attaches the counter to every SDK client of this process when it first sends. Idempotent. */
  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    const base = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown };
    const send = base.send;
    const attach = (client: SdkClient) => this.attach(client);
    base.send = function (this: SdkClient, ...args: unknown[]) {
      attach(this);
      return send.apply(this, args);
    };
  }

  /** Prices the functions' writes by AWS's rules (keeps the shadow of item images; see the header). */
  priceWrites(): void {
    this.#pricing = true;
  }

  tag(client: object, source: Source): void {
    this.#tags.set(client, source);
    this.attach(client as SdkClient);
  }

  attach(client: SdkClient): void {
    if (this.#attached.has(client)) return;
    this.#attached.add(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.#internal.has(args.input)) return next(args);
        const service = SERVICE[context.clientName ?? ''] ?? context.clientName ?? 'unknown';
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const source = this.#tags.get(client) ?? defaultSource(service, operation);
        const queue = String(args.input.QueueUrl ?? '');
        const totals = this.#add(
          keyOf({ source, service, operation: queue.endsWith('-dlq') ? `${operation} (DLQ)` : operation }),
        );
        totals.calls++;
        if (service !== 'DynamoDB' || !(DYNAMODB_READS.has(operation) || DYNAMODB_WRITES.has(operation))) {
          try {
            const result = await next(args);
            const records = (result.output.Messages ?? result.output.Records) as unknown[] | undefined;
            if (operation === 'ReceiveMessage' || operation === 'GetRecords') {
              totals.items += records?.length ?? 0;
              if (!records?.length) totals.empty++;
            }
            return result;
          } catch (error) {
            totals.errors++;
            throw error;
          }
        }
        const asked = args.input.ReturnValues;
        const wantNew =
          this.#pricing && operation === 'UpdateItem' && (asked === undefined || asked === 'NONE');
        const input: Input = {
          ...args.input,
          ...(args.input.ReturnConsumedCapacity === undefined && { ReturnConsumedCapacity: 'INDEXES' }),
          ...(wantNew && { ReturnValues: 'ALL_NEW' }),
        };
        try {
          const result = await next({ ...args, input });
          const { units, indexUnits } = sumCapacity(result.output.ConsumedCapacity);
          totals.units += units;
          totals.indexUnits += indexUnits;
          if (DYNAMODB_READS.has(operation))
            this.#priceRead(totals, operation, input, result.output, units, source);
          else if (this.#pricing)
            await this.#priceWrites(client, totals, operation, input, result.output, source);
          else totals.awsUnits += units;
          if (wantNew) delete result.output.Attributes;
          return result;
        } catch (error) {
          totals.errors++;
          const name = error instanceof Error ? error.name : '';
          if (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException') {
            totals.conditionFailures++;
            // A failed conditional write bills 1 WRU (2 per item of a cancelled transaction).
            totals.awsUnits +=
              operation === 'TransactWriteItems' ? 2 * (input.TransactItems?.length ?? 1) : 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestCounter', priority: 'high' },
    );
  }

  #add(key: string): OperationTotals {
    const totals = this.#totals.get(key) ?? emptyTotals();
    this.#totals.set(key, totals);
    return totals;
  }

  #partition(kind: 'write' | 'read', partition: string, units: number, source: Source): void {
    if (source !== 'functions') return;
    this.#add(keyOf({ source: 'partition', service: kind, operation: keyClass(partition) })).awsUnits +=
      units;
  }

  #priceRead(
    totals: OperationTotals,
    operation: string,
    input: Input,
    output: Input,
    localUnits: number,
    source: Source,
  ) {
    const mode =
      operation === 'TransactGetItems' ? 'transactional' : input.ConsistentRead ? 'strong' : 'eventual';
    const size = (tableName: string, item: Item) =>
      itemBytes(this.#shadow.get(keyOfItem(tableName, item)) ?? item);
    let units: number;
    if (operation === 'GetItem') {
      units = priceRead(output.Item ? [size(input.TableName, output.Item)] : [], mode, true);
      this.#partition(
        'read',
        `${tableOf(input.TableName)?.id} ${(Object.values(input.Key ?? {})[0] as Input | undefined)?.S}`,
        units,
        source,
      );
    } else if (operation === 'BatchGetItem') {
      units = Object.entries((output.Responses ?? {}) as Record<string, Item[]>).reduce(
        (sum, [table, items]) =>
          sum +
          priceRead(
            items.map((item) => size(table, item)),
            input.RequestItems?.[table]?.ConsistentRead ? 'strong' : 'eventual',
            true,
          ),
        0,
      );
    } else if (operation === 'TransactGetItems') {
      units = priceRead(
        ((output.Responses ?? []) as Input[]).map((r) => (r.Item ? itemBytes(r.Item) : 0)),
        mode,
        true,
      );
    } else {
      units = Math.max(
        localUnits,
        priceRead(
          ((output.Items ?? []) as Item[]).map((item) => itemBytes(item)),
          mode,
          false,
        ),
      );
      const partition = queryPartition(input);
      if (partition) this.#partition('read', partition, units, source);
    }
    totals.awsUnits += units;
  }

  async #priceWrites(
    client: SdkClient,
    totals: OperationTotals,
    operation: string,
    input: Input,
    output: Input,
    source: Source,
  ) {
    type Write = { table: string; key: Input; after?: Item | 'read'; transactional: boolean };
    const writes: Write[] = [];
    if (operation === 'PutItem')
      writes.push({ table: input.TableName, key: input.Item, after: input.Item, transactional: false });
    if (operation === 'DeleteItem')
      writes.push({ table: input.TableName, key: input.Key, transactional: false });
    if (operation === 'UpdateItem')
      writes.push({
        table: input.TableName,
        key: input.Key,
        after: input.ReturnValues === 'ALL_NEW' ? output.Attributes : 'read',
        transactional: false,
      });
    for (const { Put, Update, Delete, ConditionCheck } of (input.TransactItems ?? []) as Input[]) {
      if (Put) writes.push({ table: Put.TableName, key: Put.Item, after: Put.Item, transactional: true });
      if (Update)
        writes.push({ table: Update.TableName, key: Update.Key, after: 'read', transactional: true });
      if (Delete) writes.push({ table: Delete.TableName, key: Delete.Key, transactional: true });
      // Priced like a transactional write of the item it checks (it takes part in the transaction).
      if (ConditionCheck) {
        const seen = this.#shadow.get(keyOfItem(ConditionCheck.TableName, ConditionCheck.Key));
        writes.push({
          table: ConditionCheck.TableName,
          key: ConditionCheck.Key,
          ...(seen && { after: seen }),
          transactional: true,
        });
      }
    }
    for (const [table, requests] of Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>))
      for (const { PutRequest, DeleteRequest } of requests)
        writes.push({
          table,
          key: PutRequest?.Item ?? DeleteRequest?.Key,
          ...(PutRequest && { after: PutRequest.Item }),
          transactional: false,
        });
    for (const write of writes) {
      const key = keyOfItem(write.table, write.key);
      let after = write.after;
      if (after === 'read') {
        const get = { TableName: write.table, Key: write.key, ConsistentRead: true };
        this.#internal.add(get);
        after = (await client.send(new GetItemCommand(get))).Item as Item | undefined;
      }
      const charge = priceWrite(write.table, this.#shadow.get(key), after, write.transactional);
      totals.awsUnits += charge.tableUnits + charge.indexUnits;
      totals.awsIndexUnits += charge.indexUnits;
      for (const p of charge.partitions) this.#partition('write', p.partition, p.units, source);
      if (after) this.#shadow.set(key, after);
      else this.#shadow.delete(key);
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

/** after − before, per key; keys without calls (or partition units) in between are left out. */
export function diff(after: Counts, before: Counts): Counts {
  const result: Counts = {};
  for (const [key, totals] of Object.entries(after)) {
    const was = before[key] ?? emptyTotals();
    const delta = Object.fromEntries(FIELDS.map((f) => [f, totals[f] - was[f]])) as OperationTotals;
    if (delta.calls !== 0 || delta.awsUnits !== 0) result[key] = delta;
  }
  return result;
}

/** Each figure times `factor` (1/n: per job). */
export const scale = (counts: Counts, factor: number): Counts =>
  Object.fromEntries(
    Object.entries(counts).map(([key, t]) => [
      key,
      Object.fromEntries(FIELDS.map((f) => [f, t[f] * factor])) as OperationTotals,
    ]),
  );

/** A field summed over the keys that match. */
export const total = (
  counts: Counts,
  match: (key: CountKey) => boolean,
  field: keyof OperationTotals = 'calls',
) =>
  Object.entries(counts)
    .filter(([key]) => match(parseKey(key)))
    .reduce((sum, [, totals]) => sum + totals[field], 0);

/** The functions' DynamoDB requests of some operations. */
export const dynamo = (ops: Set<string>) => (k: CountKey) =>
  k.source === 'functions' && k.service === 'DynamoDB' && ops.has(k.operation);

/** The functions' shared clients; they exist once their modules are loaded (the stack does). */
export async function functionClients(): Promise<MiddlewareClient[]> {
  const clients: MiddlewareClient[] = [
    (await import('../../functions/wiring/dynamo-client.ts')).dynamoClient,
    (await import('../../functions/wiring/sqs-client.ts')).sqsClient,
  ];
  if (process.env.WS_MANAGEMENT_ENDPOINT)
    clients.push((await import('../../functions/wiring/realtime-poster.ts')).managementApi);
  return clients;
}

/** Tags the functions' shared clients. */
export async function tagFunctionClients(counter: SdkCounter): Promise<void> {
  for (const client of await functionClients()) counter.tag(client, 'functions');
}
