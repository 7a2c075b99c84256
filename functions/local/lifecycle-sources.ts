/**
 * The local stand-ins for the lifecycle's event sources: the jobs-stream consumer that settles dependants
 * and counts statistics, and the EventBridge rules (maintenance every minute, cleanup daily). As deployed,
 * the tier dead-letter queues have no poller: the maintenance run reads them. They invoke the deployed
 * handlers, which must already be configured through the environment.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { schedules, streamEventSources } from '../../infra/function-settings.ts';
import { maintenanceRetries } from '../../infra/resources.ts';
import { withAsyncRetries } from './async-retries.ts';
import { localTimeoutMs, streamReaderSettings, type TimeoutOverrides } from './event-source/mappings.ts';
import { invokeWithTimeout } from './invoke-with-timeout.ts';
import type { LocalQueues } from './provision.ts';
import { startStreamReader } from './realtime/dynamodb-stream-reader.ts';
import { fileCheckpoints } from './realtime/stream-checkpoints.ts';

export interface LifecycleSourcesOptions {
  dynamo: DynamoDBClient;
  dynamodbEndpoint: string;
  sqs: SQSClient;
  queues: LocalQueues;
  jobsTableName: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** How often the maintenance rule fires (EventBridge: every minute). */
  maintenanceIntervalMs: number;
  /** Function timeouts by handler module; the deployed ones where not set. */
  functionTimeoutsMs?: TimeoutOverrides;
  /**
   * Where the jobs-stream consumer's reader keeps its position (a restart resumes there, so no change is
   * left uncounted); without it the reader starts at the stream's end, as a new event source mapping.
   */
  streamCheckpointsPath?: string;
  onError: (error: unknown) => void;
}

export async function startLifecycleSources(
  options: LifecycleSourcesOptions,
): Promise<{ stop(): Promise<void> }> {
  const stops: Array<() => Promise<void>> = [];
  const timeouts = options.functionTimeoutsMs ?? {};
  const streamConsumer = (await import('../handlers/stream.ts')) as {
    handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
  };
  const reader = await startStreamReader({
    dynamodb: options.dynamo,
    streams: new DynamoDBStreamsClient({
      region: options.region,
      credentials: options.credentials,
      endpoint: options.dynamodbEndpoint,
    }),
    tableName: options.jobsTableName,
    handler: streamConsumer.handler,
    ...streamReaderSettings(streamEventSources.stream, timeouts),
    ...(options.streamCheckpointsPath && { checkpoints: fileCheckpoints(options.streamCheckpointsPath) }),
    // The on-failure destination, as the deployed mapping's SqsDlq: the dropped batch's metadata.
    onFailure: async (failure) => {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queues.streamFailuresUrl,
          MessageBody: JSON.stringify(failure),
        }),
      );
    },
    region: options.region,
    onError: options.onError,
  });
  stops.push(() => reader.stop());

  // The SQS emulator keeps messages in memory: after a restart every queued job's message is gone, so
  // the first sweep treats all of them as lost, including those due within the SQS delay window (a
  // duplicate is harmless: claims are fenced by epoch), and those of paused tiers (into their paused queues).
  const maintenance = await import('../wiring/maintenance-deps.ts');
  const { recover } = await import('../usecases/maintenance.ts');
  const { MAX_SQS_DELAY_SECONDS } = await import('../usecases/submit-job.ts');
  await recover({
    ...maintenance.maintenanceDeps,
    lostAfterMs: -MAX_SQS_DELAY_SECONDS * 1000,
    allMessagesLost: true,
  }).catch(options.onError);

  const recoverHandler = (await import('../handlers/maintenance/recover.ts')).handler;
  const cleanupHandler = (await import('../handlers/maintenance/cleanup.ts')).handler;
  // Each rule invokes its function with the function's timeout, as EventBridge invokes Lambda, and a failed
  // invocation is retried as Lambda's asynchronous invocations are configured in CDK (infra/resources.ts).
  const stopping = new AbortController();
  const every = (ms: number, module: string, handler: () => Promise<unknown>, retryAttempts: number) => {
    const invoke = () =>
      invokeWithTimeout(handler, {}, { functionName: module, timeoutMs: localTimeoutMs(module, timeouts) })
        .result;
    const run = withAsyncRetries(invoke, {
      retryAttempts,
      delaysMs: maintenanceRetries.retryDelaysSeconds.map((seconds) => seconds * 1000),
      signal: stopping.signal,
      onRetry: options.onError,
    });
    let running: Promise<unknown> = Promise.resolve();
    let busy = false;
    const timer = setInterval(() => {
      // A run still going skips this tick: on a busy machine overlapping sweeps would only pile up.
      if (busy) return;
      busy = true;
      running = run()
        .catch(options.onError)
        .finally(() => {
          busy = false;
        });
    }, ms);
    stops.push(async () => {
      clearInterval(timer);
      await running;
    });
  };
  every(
    options.maintenanceIntervalMs,
    schedules.recover.module,
    recoverHandler,
    maintenanceRetries.recover.retryAttempts,
  );
  every(
    schedules.cleanup.rateSeconds * 1000,
    schedules.cleanup.module,
    cleanupHandler,
    maintenanceRetries.cleanup.retryAttempts,
  );
  // Stops run in reverse: a retry waiting out Lambda's delay is abandoned before the timers are awaited.
  stops.push(async () => stopping.abort());

  return {
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}
