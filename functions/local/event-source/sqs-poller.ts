import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FunctionTimeoutError, invokeWithTimeout } from '../invoke-with-timeout.ts';
import { PollGate } from './poll-gate.ts';
import { regionOfArn, toRecord } from './sqs-records.ts';

export { FunctionTimeoutError };

/**
 * Local stand-in for a Lambda SQS event source mapping with `ReportBatchItemFailures` on.
 *
 * `maxConcurrency` independent loops each long-poll for up to `batchSize` messages, invoke the handler
 * once per non-empty batch and then delete what Lambda would delete:
 * - handler resolves without `batchItemFailures` (or with an empty list): every record;
 * - handler lists failures: every record except those;
 * - handler throws, times out, or lists an itemIdentifier that is not in the batch: nothing
 *   (Lambda treats an unknown identifier as a failure of the whole batch).
 * Undeleted messages come back after the queue's visibility timeout, as in AWS.
 * A timed-out invocation keeps its concurrency slot until its handler has really stopped, and its AWS
 * calls after the timeout are refused (see ../invoke-with-timeout.ts).
 * With a batching window, receiving goes on until the batch is full or the window has passed.
 *
 * `pause()` is a disabled mapping: no new receives; invocations in flight finish. A long poll already
 * waiting is not aborted (the emulator would still hand it a message, hidden for a visibility timeout);
 * what it brings back is made visible again at once, not invoked (its receive count goes up by one).
 *
 * Not emulated: scaling ramp-up, and the ESM's own retries of SQS calls.
 */

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Records per invocation; receives are capped at 10 by SQS, so larger batches take several calls. */
  batchSize: number;
  /** Invocations in flight at once (the ESM's maximum concurrency). */
  maxConcurrency: number;
  /** Gather records for up to this long before invoking (MaximumBatchingWindowInSeconds); 0 by default. */
  maxBatchingWindowMs?: number;
  /** Long-poll wait per receive; Lambda always uses 20. */
  waitTimeSeconds?: number;
  /** After this long an invocation counts as timed out: nothing is deleted and its later AWS calls fail. */
  functionTimeoutMs: number;
  region?: string;
  functionName?: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: same result type as SQSHandler in @types/aws-lambda.
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Receives SQS errors, handler errors and timeouts; polling continues after each. */
  onError?: (err: unknown) => void;
  /** Start disabled (a mapping created with Enabled=false): nothing is received until `resume()`. */
  paused?: boolean;
}

export interface SqsPoller {
  /** Stops receiving and resolves once every in-flight invocation has settled. */
  stop(): Promise<void>;
  /** Disables receiving (idempotent); invocations in flight finish. */
  pause(): void;
  /** Receives again (idempotent). */
  resume(): void;
  readonly paused: boolean;
}

type HandlerResult = Awaited<ReturnType<SqsPollerOptions['handler']>>;

export class UnknownBatchItemError extends Error {
  readonly code = 'UNKNOWN_BATCH_ITEM';
  constructor(readonly itemIdentifier: unknown) {
    super(`batchItemFailures lists ${JSON.stringify(itemIdentifier)}, which is not in the batch`);
    this.name = 'UnknownBatchItemError';
  }
}

export class DeleteFailedError extends Error {
  readonly code = 'DELETE_FAILED';
  constructor(readonly failures: { id: string; code?: string; message?: string }[]) {
    super(`DeleteMessageBatch failed for ${failures.length} record(s)`);
    this.name = 'DeleteFailedError';
  }
}

const MAX_RECEIVE = 10;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 5_000;

export function startSqsPoller(opts: SqsPollerOptions): SqsPoller {
  const stopping = new AbortController();
  // Every receive loop listens on this one signal; more than Node's default of 10 is expected, not a leak.
  setMaxListeners(opts.maxConcurrency * 2 + 10, stopping.signal);
  const report = opts.onError ?? ((err: unknown) => console.error('[sqs-poller]', err));
  // A throwing onError must not end a loop (nothing would poll any more, silently).
  const onError = (err: unknown): void => {
    try {
      report(err);
    } catch {}
  };
  const gate = new PollGate(opts.paused ?? false);
  const loops = Array.from({ length: Math.max(1, opts.maxConcurrency) }, () =>
    pollLoop(opts, stopping.signal, gate, onError),
  );
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await Promise.all(loops);
      })();
      return stopped;
    },
    pause: () => gate.pause(),
    resume: () => gate.resume(),
    get paused() {
      return gate.paused;
    },
  };
}

async function pollLoop(
  opts: SqsPollerOptions,
  signal: AbortSignal,
  gate: PollGate,
  onError: (err: unknown) => void,
) {
  let failures = 0;
  while (!signal.aborted) {
    if (gate.paused) {
      await gate.whenResumed(signal);
      continue;
    }
    let messages: Message[];
    try {
      messages = await receiveBatch(opts, signal);
      failures = 0;
    } catch (err) {
      if (signal.aborted) return;
      onError(err);
      failures++;
      await sleep(Math.min(BACKOFF_BASE_MS * 2 ** failures, BACKOFF_MAX_MS), undefined, { signal }).catch(
        () => {},
      );
      continue;
    }
    if (messages.length === 0) continue;
    // Received by a long poll that was waiting when the mapping was disabled: back to the queue, not run.
    if (gate.paused) await releaseMessages(opts, messages).catch(onError);
    // Messages already received are invoked even while stopping: dropping them would hide them for a
    // whole visibility timeout for no reason.
    else await invokeAndSettle(opts, messages, onError);
  }
}

/**
 * One long poll, then more receives until `batchSize` messages: short polls while full pages keep coming,
 * or, with a batching window, polls until the window (counted from the first message) has passed.
 */
async function receiveBatch(opts: SqsPollerOptions, signal: AbortSignal): Promise<Message[]> {
  const batch = await receivePage(
    opts,
    Math.min(MAX_RECEIVE, opts.batchSize),
    opts.waitTimeSeconds ?? 20,
    signal,
  );
  if (batch.length === 0) return batch;
  const windowEnds = Date.now() + (opts.maxBatchingWindowMs ?? 0);
  let lastPage = batch.length;
  while (batch.length < opts.batchSize) {
    const windowLeftMs = windowEnds - Date.now();
    if (lastPage < MAX_RECEIVE && windowLeftMs <= 0) break;
    try {
      // Not abortable and errors not thrown: messages already received must reach the handler.
      const page = await receivePage(
        opts,
        Math.min(MAX_RECEIVE, opts.batchSize - batch.length),
        lastPage === MAX_RECEIVE ? 0 : Math.min(20, Math.ceil(windowLeftMs / 1000)),
      );
      batch.push(...page);
      lastPage = page.length;
    } catch {
      break;
    }
  }
  return batch;
}

async function receivePage(
  opts: SqsPollerOptions,
  max: number,
  waitTimeSeconds: number,
  signal?: AbortSignal,
): Promise<Message[]> {
  const { Messages = [] } = await opts.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: opts.queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
    // Aborting only ends our wait: the server may still hand a message to the abandoned long poll
    // (fauxqs does), and that message then stays invisible for one visibility timeout.
    signal ? { abortSignal: signal } : {},
  );
  return Messages;
}

async function invokeAndSettle(opts: SqsPollerOptions, messages: Message[], onError: (err: unknown) => void) {
  const region = opts.region ?? regionOfArn(opts.queueArn);
  const records = messages.map((m) => toRecord(m, opts.queueArn, region));
  const invocation = invokeWithTimeout(
    opts.handler,
    { Records: records },
    { functionName: opts.functionName ?? 'local-sqs-consumer', timeoutMs: opts.functionTimeoutMs },
  );
  let toDelete: SQSRecord[];
  try {
    toDelete = recordsToDelete(records, await invocation.result);
  } catch (err) {
    onError(err);
    // A timed-out invocation holds its slot until it has really stopped (its AWS calls already fail).
    if (err instanceof FunctionTimeoutError) await invocation.settled;
    return;
  }
  try {
    await deleteRecords(opts, toDelete);
  } catch (err) {
    onError(err);
  }
}

/** Makes received messages visible again at once (a paused poller's late receives). */
async function releaseMessages(opts: SqsPollerOptions, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += MAX_RECEIVE) {
    await opts.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: opts.queueUrl,
        Entries: messages.slice(start, start + MAX_RECEIVE).map((m, i) => ({
          Id: String(start + i),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

/** Lambda's ReportBatchItemFailures rules; throws (whole batch fails) on an identifier not in the batch. */
function recordsToDelete(records: SQSRecord[], response: HandlerResult): SQSRecord[] {
  const failures = response?.batchItemFailures ?? [];
  const inBatch = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = failure?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) throw new UnknownBatchItemError(id);
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

async function deleteRecords(opts: SqsPollerOptions, records: SQSRecord[]): Promise<void> {
  const failures: { id: string; code?: string; message?: string }[] = [];
  for (let start = 0; start < records.length; start += MAX_RECEIVE) {
    const chunk = records.slice(start, start + MAX_RECEIVE);
    const result = await opts.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: opts.queueUrl,
        // Batch entry ids must be short and [A-Za-z0-9_-]; the position is enough to map results back.
        Entries: chunk.map((r, i) => ({ Id: String(start + i), ReceiptHandle: r.receiptHandle })),
      }),
    );
    for (const f of result.Failed ?? []) {
      failures.push({
        id: records[Number(f.Id)]?.messageId ?? String(f.Id),
        code: f.Code,
        message: f.Message,
      });
    }
  }
  if (failures.length > 0) throw new DeleteFailedError(failures);
}
