/**
 * An in-process Lambda invocation with its configured timeout enforced. A Node.js handler cannot be killed
 * the way Lambda stops a sandbox, so a timed-out invocation is emulated in two halves:
 * - the caller gets FunctionTimeoutError at the deadline (and the Context's getRemainingTimeInMillis has
 *   counted down to 0, so well-behaved handlers, like the worker, stop on their own first);
 * - the invocation is *fenced*: every AWS SDK call it makes after its deadline fails with
 *   InvocationKilledError before reaching the emulators (see fenceClient). The invocation is tracked
 *   through AsyncLocalStorage, which follows its promises, timers and intervals, so a heartbeat interval
 *   started by the handler is fenced too.
 * `settled` resolves when the handler's own promise finally settles: an event source counts the
 * invocation as running until then, as its slot on AWS stays busy until the sandbox is gone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

export class FunctionTimeoutError extends Error {
  readonly code = 'FUNCTION_TIMEOUT';
  constructor(
    readonly timeoutMs: number,
    readonly functionName = 'function',
  ) {
    super(`${functionName}: Task timed out after ${timeoutMs} ms`);
    this.name = 'FunctionTimeoutError';
  }
}

/** An AWS call made by an invocation after its timeout: on AWS the sandbox would be gone. */
export class InvocationKilledError extends Error {
  readonly code = 'INVOCATION_KILLED';
  constructor(readonly functionName: string) {
    super(`${functionName} timed out; calls after the timeout are refused (Lambda stops the invocation)`);
    this.name = 'InvocationKilledError';
  }
}

interface InvocationState {
  functionName: string;
  deadline: number;
}

const current = new AsyncLocalStorage<InvocationState>();

export interface InvokeOptions {
  functionName: string;
  timeoutMs: number;
  memoryMb?: number;
}

export interface Invocation<R> {
  /** The handler's result, or FunctionTimeoutError at the deadline. */
  result: Promise<R>;
  /** Resolves once the handler has really stopped (whatever its outcome). */
  settled: Promise<void>;
}

/**
 * Invocations started in this process, by function name: what Lambda would bill as requests (the bench
 * reads it to count the stream consumers' invocations, whose batching windows differ).
 */
export const invocationCounts = new Map<string, number>();

export function invokeWithTimeout<E, R>(
  handler: (event: E, context: Context) => Promise<R> | R,
  event: E,
  options: InvokeOptions,
): Invocation<R> {
  invocationCounts.set(options.functionName, (invocationCounts.get(options.functionName) ?? 0) + 1);
  const state: InvocationState = {
    functionName: options.functionName,
    deadline: Date.now() + options.timeoutMs,
  };
  const context = lambdaContext(options.functionName, options.timeoutMs, options.memoryMb);
  const run = current.run(state, () => Promise.resolve().then(() => handler(event, context)));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FunctionTimeoutError(options.timeoutMs, options.functionName)),
      options.timeoutMs,
    );
  });
  const result = Promise.race([run, timedOut]).finally(() => clearTimeout(timer));
  return { result, settled };
}

/** True inside an invocation that is past its timeout. */
export function invocationExpired(): InvocationState | undefined {
  const state = current.getStore();
  return state && Date.now() >= state.deadline ? state : undefined;
}

/** Any AWS SDK v3 client (their middleware stacks differ only in the input and output types). */
interface MiddlewareClient {
  middlewareStack: { add(middleware: never, options: never): void };
}
type AddMiddleware = (
  middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
  options: { step: 'initialize'; name: string },
) => void;
const fenced = new WeakSet<object>();

/** Refuses every call an invocation makes through `client` after its timeout (idempotent per client). */
export function fenceClient(client: MiddlewareClient): void {
  if (fenced.has(client)) return;
  fenced.add(client);
  const add = client.middlewareStack.add.bind(client.middlewareStack) as unknown as AddMiddleware;
  add(
    (next) => async (args) => {
      const expired = invocationExpired();
      if (expired) throw new InvocationKilledError(expired.functionName);
      return next(args);
    },
    { step: 'initialize', name: 'localInvocationFence' },
  );
}
