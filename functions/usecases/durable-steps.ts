/**
 * `ctx.step(name, fn)` for one invocation of a job: replays the results the job stored, runs and stores
 * the others, and, for a durable command, asks for a continuation between steps when the invocation's time
 * runs short (core/steps.ts decides). Step records are saved one write at a time, each with the whole list
 * as it is then, so concurrent steps never overwrite each other's records. Results go through StepResults:
 * in the item, or in the payload store (written first) when large.
 */
import type { Clock } from '../core/clock.ts';
import { PermanentJobError, TransientJobError, toJobError } from '../core/errors.ts';
import {
  MAX_STEPS,
  type StepRecord,
  shouldContinueElsewhere,
  stepNameProblem,
  stepResultBytes,
  withStep,
} from '../core/steps.ts';
import type { StepResults } from './step-results.ts';

type KeptResult = Pick<StepRecord, 'result' | 'resultRef'>;

/** Thrown out of `ctx.step` when the job moves to a fresh invocation; the worker hands it off. */
export class ContinuationRequested extends Error {
  override readonly name = 'ContinuationRequested';
  constructor() {
    super('The job continues in a fresh invocation');
  }
}

export interface StepRunnerOptions {
  /** The steps the job has stored so far. */
  steps: readonly StepRecord[];
  attempt: number;
  continuation: number;
  clock: Clock;
  /** Keeps step results (in the item or the payload store) and reads them back. */
  results: StepResults;
  /** Writes the job's step records; throws when they could not be written. */
  save(steps: StepRecord[]): Promise<void>;
  /** Whether the job may continue in a fresh invocation (a durable command with a way to re-send it). */
  mayContinue: boolean;
  /** The time left in this invocation for running steps. */
  remainingMs(): number;
  /** Called once when a continuation is due, before `ctx.step` throws ContinuationRequested. */
  onContinuation(): void;
}

export class StepRunner {
  readonly #options: StepRunnerOptions;
  #steps: StepRecord[];
  readonly #used = new Set<string>();
  #ranHere = 0;
  #saving: Promise<void> = Promise.resolve();

  constructor(options: StepRunnerOptions) {
    this.#options = options;
    this.#steps = [...options.steps];
  }

  get steps(): readonly StepRecord[] {
    return this.#steps;
  }

  /** Resolves once every step record handed to `save` has been written or has failed. */
  flush(): Promise<void> {
    return this.#saving;
  }

  readonly step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const problem = stepNameProblem(name);
    if (problem) throw new PermanentJobError(problem, 'invalid_step_name');
    if (this.#used.has(name))
      throw new PermanentJobError(
        `Step "${name}" is used twice in this job; step names must be unique`,
        'duplicate_step',
      );
    this.#used.add(name);
    // A stored result is replayed; one that is gone (an expired object: load answers null) runs again.
    const stored = this.#steps.find(
      (step) =>
        step.name === name &&
        step.status === 'completed' &&
        (step.result !== undefined || step.resultRef !== undefined),
    );
    const replayed = stored && (await this.#options.results.load(stored));
    if (typeof replayed === 'string') return JSON.parse(replayed) as T;
    if (!this.#steps.some((step) => step.name === name) && this.#steps.length >= MAX_STEPS)
      throw new PermanentJobError(`A job may record at most ${MAX_STEPS} steps`, 'too_many_steps');
    const { mayContinue, remainingMs } = this.#options;
    if (
      mayContinue &&
      shouldContinueElsewhere({ remainingMs: remainingMs(), stepsRunHere: this.#ranHere, steps: this.#steps })
    ) {
      this.#options.onContinuation();
      throw new ContinuationRequested();
    }
    this.#ranHere += 1;
    const started = this.#options.clock.now();
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      // A failed step is recorded (best effort: the job's own failure is what must be written).
      const code = toJobError(error).code;
      if (code !== 'cancelled') await this.#record(name, 'failed', started).catch(() => undefined);
      throw error;
    }
    const inlineBytes = stepResultBytes(this.#steps.filter((step) => step.name !== name));
    const { results } = this.#options;
    const fitted = results.fit(name, value, inlineBytes);
    // An inline result is recorded with no await in between: a concurrent step then weighs it.
    const kept: KeptResult =
      fitted.place === 'inline'
        ? { result: fitted.json }
        : { resultRef: await results.offload(name, fitted) };
    await this.#record(name, 'completed', started, kept);
    // Every run sees the same value: the stored JSON, not the object `fn` returned.
    return JSON.parse(fitted.json) as T;
  };

  async #record(name: string, status: StepRecord['status'], started: Date, kept?: KeptResult): Promise<void> {
    const now = this.#options.clock.now();
    this.#steps = withStep(this.#steps, {
      name,
      status,
      attempt: this.#options.attempt,
      continuation: this.#options.continuation,
      completedAt: now.toISOString(),
      durationMs: Math.max(0, now.getTime() - started.getTime()),
      ...kept,
    });
    const write = this.#saving.then(() => this.#options.save(this.#steps));
    this.#saving = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      throw new TransientJobError(`Step "${name}" could not be stored`, 'step_not_stored', { cause: error });
    }
  }
}
