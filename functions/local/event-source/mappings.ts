/**
 * The local event sources' settings, derived from the one definition the CDK constructs also read
 * (infra/function-settings.ts): what the local pollers and stream readers run with is what
 * test/infra/local-parity.test.ts compares with the synthesized event source mappings.
 */
import {
  type FunctionModule,
  functionTimeoutSeconds,
  type RuntimeSetting,
  runtimeSettings,
  type SqsEventSourceSettings,
  type StreamEventSourceSettings,
} from '../../../infra/function-settings.ts';
import { ENV } from '../../wiring/config.ts';

/** Per-module timeout overrides in milliseconds (tests that need short timeouts set them explicitly). */
export type TimeoutOverrides = Partial<Record<FunctionModule | (string & {}), number>>;

export const localTimeoutMs = (module: string, overrides: TimeoutOverrides = {}): number =>
  overrides[module] ?? functionTimeoutSeconds(module) * 1000;

export function sqsPollerSettings(settings: SqsEventSourceSettings, overrides: TimeoutOverrides = {}) {
  return {
    batchSize: settings.batchSize,
    maxBatchingWindowMs: settings.maxBatchingWindowSeconds * 1000,
    maxConcurrency: settings.maxConcurrency,
    functionTimeoutMs: localTimeoutMs(settings.module, overrides),
  };
}

export function streamReaderSettings(settings: StreamEventSourceSettings, overrides: TimeoutOverrides = {}) {
  return {
    functionName: settings.module,
    startingPosition: settings.startingPosition,
    batchSize: settings.batchSize,
    maxBatchingWindowMs: settings.maxBatchingWindowSeconds * 1000,
    maxRetryAttempts: settings.retryAttempts,
    bisectBatchOnError: settings.bisectBatchOnError,
    maxRecordAgeSeconds: settings.maxRecordAgeSeconds,
    filters: settings.filters,
    functionTimeoutMs: localTimeoutMs(settings.module, overrides),
  };
}

/**
 * The runtime timings for the local functions' environment: the deployed values unless a test sets
 * faster ones explicitly.
 */
export function localRuntimeEnvironment(
  overrides: Partial<Record<RuntimeSetting, number>> = {},
): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(runtimeSettings) as RuntimeSetting[]).map((setting) => [
      ENV[setting],
      String(overrides[setting] ?? runtimeSettings[setting]),
    ]),
  );
}
