/**
 * Injects the planned faults into a running local stack, around the real handlers and the real SDK
 * clients of this process (the modules under functions/wiring are the ones the stack's handlers use):
 * - zombie runs: every write of a job's first run (heartbeat, progress, outcome) and its visibility
 *   extensions are held back, from its first heartbeat ("zombie-run") or its final write ("zombie-final"),
 *   until the job was recovered and re-run to the end; then they go through and must all be refused;
 * - lost visibility extensions ("slow-redelivery"): the message comes back while its run is still going,
 *   so SQS delivers the same message to a second invocation;
 * - throttles: a job's first and third writes are answered with throttling on every SDK attempt, so the
 *   error comes out of the SDK's retries into the code;
 * - poison messages: the worker crashes on the record every time, until SQS moves it to the DLQ and the
 *   production maintenance run (which reads the DLQs) buries the job;
 * - late messages: a job's first message is delivered after the lost-message sweep re-sent it;
 * - durable jobs (probe/steps): a short Lambda time limit where planned (they continue in fresh
 *   invocations), and "zombie-step" runs paused at a step-record write, whose late write must be refused.
 * The ledger records what the agents did and which writes were accepted, for the invariants.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJobMessage } from '../../../functions/adapters/sqs/dispatcher.ts';
import { isTerminal, type Job } from '../../../functions/core/job.ts';
import type { JobStore } from '../../../functions/core/ports.ts';
import type { Transition } from '../../../functions/core/transitions.ts';
import type { Ledger } from './ledger.ts';
import { type Fault, probeAgent } from './probe-agent.ts';

export interface InjectorOptions {
  ledger: Ledger;
  /** A store on a client of its own, without faults, for the injector's own reads. */
  observer: JobStore;
  /** Seconds a late first message is delayed (more than the lost-message threshold). */
  lateDelaySeconds: number;
  /** A zombie resumes at the latest after this long, even if its job has not ended. */
  zombieMaxPauseMs: number;
}

/** Writes a worker makes for the run it holds (recovery by a returning message says `worker_lost`). */
const RUN_WRITES = new Set([
  'heartbeat',
  'progress',
  'complete',
  'fail',
  'bury',
  'scheduleRetry',
  'recordSteps',
  'handOff',
]);
const FINAL_WRITES = new Set(['complete', 'fail', 'bury', 'scheduleRetry']);
/** SDK attempts per request of the functions' DynamoDB client (the SDK's default). */
const THROTTLED_WRITES = [1, 3];

interface Zombie {
  since: number;
  released: Promise<void>;
  /** Whether the job was recovered and re-run while the zombie slept (else it was merely slow). */
  takenOver: boolean;
  receipts: Set<string>;
}

interface Plan {
  fault: Fault;
  /** A durable probe job's Lambda time limit per worker invocation (so it continues), if planned. */
  budgetMs: number | undefined;
}

/** A step record list that says step `name` completed. */
const completes = (transition: Transition, name: string) =>
  (transition.set.steps ?? []).some((step) => step.name === name && step.status === 'completed');

type WorkerHandler = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse, Error, Context>;

export async function installFaults(options: InjectorOptions): Promise<void> {
  const { ledger, observer } = options;
  const { agents } = await import('../../../functions/agents/index.ts');
  const { dynamoClient } = await import('../../../functions/wiring/dynamo-client.ts');
  const { sqsClient } = await import('../../../functions/wiring/sqs-client.ts');
  const { jobStore } = await import('../../../functions/wiring/store.ts');
  const worker = (await import('../../../functions/handlers/worker.ts')) as { handler: WorkerHandler };
  if (!agents.find('probe', 'work')) agents.register('probe', probeAgent(ledger));

  const plans = new Map<string, Plan>();
  const planOf = async (jobId: string): Promise<Plan> => {
    const known = plans.get(jobId);
    if (known) return known;
    const job = await observer.get(jobId);
    const params = (job?.params ?? {}) as { fault?: Fault; budgetMs?: number };
    const plan: Plan = { fault: params.fault ?? 'none', budgetMs: params.budgetMs };
    if (job) plans.set(jobId, plan);
    return plan;
  };
  const faultOf = async (jobId: string): Promise<Fault> => (await planOf(jobId)).fault;
  const receipts = new Map<string, { jobId: string; first: boolean }>();
  const seenJobs = new Set<string>();
  const zombies = new Map<string, Zombie>();

  const startZombie = (job: Job): Zombie => {
    ledger.counts.zombies += 1;
    const zombie: Zombie = {
      since: Date.now(),
      released: Promise.resolve(),
      takenOver: false,
      receipts: new Set(),
    };
    for (const [receipt, owner] of receipts) if (owner.jobId === job.id) zombie.receipts.add(receipt);
    zombie.released = (async () => {
      // Resume once the job was re-run to its end, so the late writes meet a finished job.
      while (Date.now() - zombie.since < options.zombieMaxPauseMs) {
        const latest = await observer.get(job.id).catch(() => null);
        if (latest && (latest.attempt !== job.attempt || latest.epoch !== job.epoch)) zombie.takenOver = true;
        if (latest && zombie.takenOver && isTerminal(latest.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    zombies.set(job.id, zombie);
    return zombie;
  };

  /** Holds back a zombie run's write; true if it belongs to a zombie run whose job was taken over. */
  const zombieGate = async (job: Job, transition: Transition): Promise<boolean> => {
    if (!RUN_WRITES.has(transition.name) || transition.set.error?.code === 'worker_lost') return false;
    if (job.attempt !== 1) return false;
    const fault = await faultOf(job.id);
    if (fault !== 'zombie-run' && fault !== 'zombie-final' && fault !== 'zombie-step') return false;
    let zombie = zombies.get(job.id);
    if (!zombie) {
      if (fault === 'zombie-final' && !FINAL_WRITES.has(transition.name)) return false;
      // A durable run pauses at the write that records step "2" (step "1" is stored by then).
      if (fault === 'zombie-step' && !(transition.name === 'recordSteps' && completes(transition, '2')))
        return false;
      zombie = startZombie(job);
    }
    await zombie.released;
    return zombie.takenOver;
  };

  /** What an accepted write of a durable probe job tells: steps stored, a continuation, an interruption. */
  const noteDurableWrite = (job: Job, transition: Transition) => {
    const steps = transition.set.steps ?? [];
    const stored = steps.filter((step) => step.status === 'completed').map((step) => step.name);
    if (transition.name === 'recordSteps') ledger.counts.stepWrites += 1;
    if (stored.length > 0) ledger.stepsStored(job.id, stored);
    if (transition.name === 'handOff') ledger.counts.continuations += 1;
    const code = transition.set.error?.code;
    if (code && code !== 'probe_transient' && code !== 'probe_permanent') ledger.interrupted(job.id, code);
  };

  const apply = jobStore.apply.bind(jobStore);
  jobStore.apply = async (job: Job, transition: Transition) => {
    const fromZombie = await zombieGate(job, transition);
    const early =
      transition.name === 'claim' &&
      job.status === 'retrying' &&
      job.queuedAt !== null &&
      Date.now() < new Date(job.queuedAt).getTime() - 250;
    let result: Job | null;
    try {
      result = await apply(job, transition);
    } catch (error) {
      if (error instanceof ProvisionedThroughputExceededException) ledger.counts.throttlesReachedCode += 1;
      throw error;
    }
    if (fromZombie) {
      ledger.counts.zombieWrites += 1;
      if (result) ledger.acceptedZombieWrites.push(`${job.id} ${transition.name} (attempt ${job.attempt})`);
      else {
        ledger.counts.zombieWritesFenced += 1;
        if (transition.name === 'recordSteps') ledger.counts.zombieStepWritesFenced += 1;
      }
    }
    if (result && early)
      ledger.earlyClaims.push(`${job.id} claimed before its backoff ended (${job.queuedAt})`);
    if (result && transition.name === 'complete') ledger.completed(job.id);
    if (result && job.type === 'probe' && job.command === 'steps') noteDurableWrite(job, transition);
    return result;
  };

  // Throttles: decided once per request (initialize), thrown on every attempt inside the SDK's retries.
  const throttled = Symbol('throttled');
  const writesSeen = new Map<string, number>();
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      const jobId = writtenJob(context.commandName ?? '', args.input as WriteInput);
      if (jobId && (await faultOf(jobId)) === 'throttle') {
        const n = (writesSeen.get(jobId) ?? 0) + 1;
        writesSeen.set(jobId, n);
        if (THROTTLED_WRITES.includes(n)) {
          ledger.counts.throttledRequests += 1;
          (context as Record<symbol, boolean>)[throttled] = true;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultThrottleDecision' },
  );
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as Record<symbol, boolean>)[throttled]) {
        ledger.counts.throttledAttempts += 1;
        throw new ProvisionedThroughputExceededException({
          message: 'injected throttle',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'faultThrottleAttempt' },
  );

  // Late first messages; lost or held-back visibility extensions.
  sqsClient.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { MessageBody?: string; ReceiptHandle?: string; DelaySeconds?: number };
      if (context.commandName === 'SendMessageCommand' && input.MessageBody) {
        const message = parseJobMessage(input.MessageBody);
        if (message?.epoch === 1 && (await faultOf(message.jobId)) === 'late') {
          ledger.counts.lateMessages += 1;
          input.DelaySeconds = options.lateDelaySeconds;
        }
      }
      if (context.commandName === 'ChangeMessageVisibilityCommand' && input.ReceiptHandle) {
        const owner = receipts.get(input.ReceiptHandle);
        const zombie = owner && zombies.get(owner.jobId);
        if (zombie?.receipts.has(input.ReceiptHandle)) await zombie.released;
        // A failed visibility change (say the receipt expired on a slow machine): SQS shows the message
        // again when its current visibility ends, before the retry's backoff; the worker must hold it back.
        if (owner?.first && (await faultOf(owner.jobId)) === 'slow-redelivery') {
          ledger.counts.lostExtensions += 1;
          throw new Error('injected: visibility extension lost');
        }
        return next(args);
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultSqs' },
  );

  // The worker: learns which message is which job's, crashes on poison, notices redeliveries.
  const held = new Map<string, number>();
  const poisoned = new WeakMap<object, string[]>();
  const records = new WeakMap<object, SQSRecord[]>();
  const release = (request: { event: SQSEvent }) => {
    for (const record of records.get(request) ?? []) {
      const n = (held.get(record.messageId) ?? 1) - 1;
      if (n > 0) held.set(record.messageId, n);
      else held.delete(record.messageId);
    }
  };
  worker.handler.use({
    before: async (request) => {
      const kept: SQSRecord[] = [];
      const poison: string[] = [];
      records.set(request, request.event.Records);
      for (const record of request.event.Records) {
        if (held.has(record.messageId)) ledger.counts.redeliveredWhileHeld += 1;
        held.set(record.messageId, (held.get(record.messageId) ?? 0) + 1);
        const message = parseJobMessage(record.body);
        if (message) {
          receipts.set(record.receiptHandle, { jobId: message.jobId, first: !seenJobs.has(message.jobId) });
          seenJobs.add(message.jobId);
          const plan = await planOf(message.jobId);
          if (plan.fault === 'poison') {
            ledger.counts.poisonReceives += 1;
            poison.push(record.messageId);
            continue;
          }
          // A short Lambda time limit for this invocation (batch size 1): the durable job continues.
          if (plan.budgetMs !== undefined) request.context = withBudget(request.context, plan.budgetMs);
        }
        kept.push(record);
      }
      poisoned.set(request, poison);
      request.event = { ...request.event, Records: kept };
    },
    after: async (request) => {
      release(request);
      const poison = poisoned.get(request) ?? [];
      const response = request.response ?? { batchItemFailures: [] };
      request.response = {
        batchItemFailures: [
          ...(response.batchItemFailures ?? []),
          ...poison.map((itemIdentifier) => ({ itemIdentifier })),
        ],
      };
    },
    onError: async (request) => {
      release(request);
    },
  });
}

/** `context` counting down from `budgetMs` (or its own time left, if less), as WORKER_BUDGET_SECONDS does. */
function withBudget(context: Context, budgetMs: number): Context {
  const endsAt = Date.now() + budgetMs;
  return {
    ...context,
    getRemainingTimeInMillis: () => Math.min(context.getRemainingTimeInMillis(), endsAt - Date.now()),
  };
}

interface WriteInput {
  Key?: { pk?: { S?: string } };
  TransactItems?: Array<{ Update?: { Key?: { pk?: { S?: string } } } }>;
}

/** The job a DynamoDB write changes (updates only: creating a job is the API's business). */
function writtenJob(commandName: string, input: WriteInput): string | undefined {
  const pk =
    commandName === 'UpdateItemCommand'
      ? input.Key?.pk?.S
      : commandName === 'TransactWriteItemsCommand'
        ? input.TransactItems?.[0]?.Update?.Key?.pk?.S
        : undefined;
  return pk?.startsWith('JOB#') ? pk.slice(4) : undefined;
}
