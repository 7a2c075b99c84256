/**
 * The typed agent registry shared by producers (the API validates params against it) and consumers (the
 * worker runs it): agent type → command → { description, params schema, run }.
 */
import type * as z from '../core/zod.ts';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `keys` to every entry (e.g. the job id). */
  child(keys: Record<string, unknown>): Logger;
}

/** What an agent gets besides its params (graphile-worker's `helpers`). */
export interface AgentContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted when the job is cancelled, times out, or the worker is about to run out of time. */
  signal: AbortSignal;
  /** Reports progress; writes are coalesced, so calling it often is cheap. */
  progress(percent: number, stage?: string | null, message?: string | null): void;
  logger: Logger;
  /**
   * A durable step: `fn` runs once per job and its result (JSON) is stored with the job; every later run of
   * the job (a retry, a continuation) gets the stored result back without running `fn`. Names are unique
   * in a job. A step that throws follows the job's retry rules.
   */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** 0 in an attempt's first invocation, then 1, 2, ... for each continuation in a fresh invocation. */
  continuation: number;
}

/** `params` is a zod schema: zod/mini (see core/zod.ts) keeps the bundles small; the full zod works too. */
export interface AgentCommand<S extends z.core.$ZodType = z.core.$ZodType> {
  description: string;
  params: S;
  /**
   * A durable command may run longer than one invocation: between its steps the worker hands it to a fresh
   * invocation when time runs short, and its `timeoutSeconds` may be up to 86,400 (wall time). Others keep
   * the 840 s limit of one invocation.
   */
  durable?: boolean;
  run(params: z.output<S>, context: AgentContext): Promise<unknown>;
}

export type Agent = Record<string, AgentCommand>;

/** Keeps the params type of each command tied to its schema. */
export const command = <S extends z.core.$ZodType>(definition: AgentCommand<S>): AgentCommand<S> =>
  definition;

export class AgentRegistry {
  readonly #agents = new Map<string, Agent>();

  register(type: string, agent: Agent): this {
    if (this.#agents.has(type)) throw new Error(`agent ${type} is already registered`);
    this.#agents.set(type, agent);
    return this;
  }

  find(type: string, name: string): AgentCommand | undefined {
    const agent = this.#agents.get(type);
    return agent && Object.hasOwn(agent, name) ? agent[name] : undefined;
  }

  list(): Array<{ type: string; commands: Array<{ name: string; command: AgentCommand }> }> {
    return [...this.#agents].map(([type, agent]) => ({
      type,
      commands: Object.entries(agent).map(([name, command]) => ({ name, command })),
    }));
  }
}
