/**
 * Keeping and reading back durable step results (core/step-results.ts decides where). A result kept out of
 * the item is written to the payload store BEFORE the step record that refers to it, under a key of the
 * run that wrote it: a run fenced out meanwhile may leave an object behind (its record write fails), which
 * the job's deletion and the bucket's lifecycle rules remove; it never overwrites the object of another run.
 */
import { randomBytes } from 'node:crypto';
import { PermanentJobError, TransientJobError } from '../core/errors.ts';
import { fitJson, MAX_JSON_DEPTH } from '../core/limits.ts';
import { PayloadMissingError, type PayloadStore, stepResultKey } from '../core/payloads.ts';
import {
  placeStepResult,
  type StepResultRef,
  stepResultLimit,
  stepResultObject,
} from '../core/step-results.ts';
import type { StepRecord } from '../core/steps.ts';

/** A step's result as JSON, and where it is to be kept. */
export interface FittedResult {
  json: string;
  bytes: number;
  place: 'inline' | 'offloaded';
}

export interface StepResultsOptions {
  jobId: string;
  /** The fencing token of the run that keeps results (names its objects). */
  epoch: number;
  attempt: number;
  /** Where results too large for the item go; none: all stay in the item, within its cap. */
  payloads?: PayloadStore | undefined;
}

export class StepResults {
  readonly #options: StepResultsOptions;

  constructor(options: StepResultsOptions) {
    this.#options = options;
  }

  /**
   * Serializes `value` and decides where it goes (synchronously, so the caller records an inline result
   * before another step's result is weighed). `inlineBytes`: what the job's other steps keep in the item.
   * Throws a PermanentJobError for a result too large or not JSON.
   */
  fit(name: string, value: unknown, inlineBytes: number): FittedResult {
    const room = { inlineBytes, offloading: this.#options.payloads !== undefined };
    const { maxBytes, limit } = stepResultLimit(room);
    const fit = fitJson(value, { maxBytes, maxDepth: MAX_JSON_DEPTH });
    if (!fit.ok) {
      const code =
        fit.reason === 'not_serializable' ? 'step_result_not_serializable' : 'step_result_too_large';
      const why = fit.reason === 'too_large' ? ` (${limit})` : '';
      throw new PermanentJobError(`The result of step "${name}" ${fit.message}${why}`, code);
    }
    return { json: fit.json, bytes: fit.bytes, place: placeStepResult(fit.bytes, room) };
  }

  /** Writes a result to the payload store under a key of this run; a TransientJobError when it failed. */
  async offload(name: string, fitted: FittedResult): Promise<StepResultRef> {
    const { payloads, jobId, epoch, attempt } = this.#options;
    const object = stepResultObject(epoch, attempt, randomBytes(6).toString('hex'));
    try {
      if (!payloads) throw new Error('no payload store');
      await payloads.put(stepResultKey(jobId, object), fitted.json);
    } catch (cause) {
      throw new TransientJobError(`The result of step "${name}" could not be stored`, 'step_not_stored', {
        cause,
      });
    }
    return { object, bytes: fitted.bytes };
  }

  /**
   * The stored JSON of a completed step, or null when there is none to replay (its object is gone, e.g.
   * expired: the step then runs again). Throws a TransientJobError when the store could not be read.
   */
  async load(step: StepRecord): Promise<string | null> {
    if (step.resultRef === undefined) return step.result ?? null;
    const { payloads, jobId } = this.#options;
    if (!payloads) return null;
    try {
      return await payloads.get(stepResultKey(jobId, step.resultRef.object));
    } catch (error) {
      if (error instanceof PayloadMissingError) return null;
      throw new TransientJobError(`The result of step "${step.name}" could not be read`, 'step_not_loaded', {
        cause: error,
      });
    }
  }
}
