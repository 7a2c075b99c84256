/**
 * Every function setting the local stack and the CDK stack share, compared between the synthesized
 * template and what functions/local runs with: event source mappings (batching, concurrency, stream
 * retries, record age, bisection, filters), function timeouts and their local enforcement, the settings
 * in each function's environment, DLQ visibility, schedules and WebSocket routes. A setting present on one
 * side and absent from the other fails.
 */

import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import {
  localRuntimeEnvironment,
  localTimeoutMs,
  sqsPollerSettings,
  streamReaderSettings,
} from '../../functions/local/event-source/mappings.ts';
import { WS_ACTIONS } from '../../functions/usecases/realtime/client-messages.ts';
import { ENV, retentionDays, tierMaxConcurrency } from '../../functions/wiring/config.ts';
import { quotaEnvironment } from '../../functions/wiring/quotas.ts';
import { JobFunction } from '../../infra/constructs/job-function.ts';
import {
  apiGatewayLimits,
  deadLetterVisibilityTimeoutSeconds,
  functionTimeouts,
  runtimeSettingsByFunction,
  type SqsEventSourceSettings,
  type StreamEventSourceSettings,
  schedules,
  streamEventSources,
  tierEventSources,
} from '../../infra/function-settings.ts';
import { webhookDeliveryEventSource } from '../../infra/webhook-settings.ts';
import { createdQueues } from './support/local-queues.ts';
import { logicalId, propertiesOf, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, json } = synth();
const functions = stack.node.findAll().filter((node): node is JobFunction => node instanceof JobFunction);
const functionId = (module: string): string => {
  const fn = functions.find((candidate) => candidate.module === module);
  if (!fn) throw new Error(`no function for ${module}`);
  return logicalId(stack, fn);
};
const moduleOfId = (id: string) => functions.find((fn) => logicalId(stack, fn) === id)?.module;

/** The local SQS poller settings in the CloudFormation property names of an event source mapping. */
function localSqsMapping(settings: SqsEventSourceSettings): Record<string, unknown> {
  const local = sqsPollerSettings(settings);
  return {
    BatchSize: local.batchSize,
    ...(local.maxBatchingWindowMs > 0 && {
      MaximumBatchingWindowInSeconds: local.maxBatchingWindowMs / 1000,
    }),
    ScalingConfig: { MaximumConcurrency: local.maxConcurrency },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    // The local poller starts paused likewise (functions/local/webhook-delivery.ts).
    ...(settings.enabled === false && { Enabled: false }),
  };
}

function localStreamMapping(settings: StreamEventSourceSettings): Record<string, unknown> {
  const local = streamReaderSettings(settings);
  return {
    BatchSize: local.batchSize,
    ...(local.maxBatchingWindowMs > 0 && {
      MaximumBatchingWindowInSeconds: local.maxBatchingWindowMs / 1000,
    }),
    StartingPosition: local.startingPosition,
    BisectBatchOnFunctionError: local.bisectBatchOnError,
    MaximumRetryAttempts: local.maxRetryAttempts,
    ...(local.maxRecordAgeSeconds >= 0 && { MaximumRecordAgeInSeconds: local.maxRecordAgeSeconds }),
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    FilterCriteria: { Filters: local.filters.map((pattern) => ({ Pattern: pattern })) },
    // The local reader sends dropped batches' metadata to the provisioned queue (lifecycle-sources.ts).
    ...(settings.onFailure && { DestinationConfig: { OnFailure: { Destination: 'an SQS queue' } } }),
  };
}

/** A template mapping without its wiring (source and function), filter patterns parsed. */
function tuned(properties: Record<string, unknown>): Record<string, unknown> {
  const { EventSourceArn: _source, FunctionName: _function, ...rest } = properties;
  const destination = rest.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined;
  if (destination?.OnFailure) {
    const [id] =
      (destination.OnFailure.Destination as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
    const type = (json.Resources as Record<string, { Type: string }>)[id ?? '']?.Type;
    rest.DestinationConfig = {
      OnFailure: { Destination: type === 'AWS::SQS::Queue' ? 'an SQS queue' : type },
    };
  }
  const filters = rest.FilterCriteria as { Filters: { Pattern: string }[] } | undefined;
  if (filters)
    rest.FilterCriteria = {
      Filters: filters.Filters.map((filter) => ({ Pattern: JSON.parse(filter.Pattern) })),
    };
  return rest;
}

const mappings = resourcesOf(json, 'AWS::Lambda::EventSourceMapping');
const mappingFrom = (source: string) =>
  mappings.find(([, resource]) =>
    JSON.stringify(resource.Properties?.EventSourceArn).includes(`"${source}"`),
  );

describe('event source mappings', () => {
  it('has exactly the mappings the local stack runs: a poller per tier queue, two stream readers, the webhook poller', () => {
    expect(mappings).toHaveLength(TIERS.length + Object.keys(streamEventSources).length + 1);
  });

  it('the webhook delivery queue is consumed with the same settings', () => {
    const [, resource] = mappingFrom(logicalId(stack, stack.webhooks.queue)) ?? [];
    expect(tuned(resource?.Properties ?? {})).toEqual(localSqsMapping(webhookDeliveryEventSource));
  });

  it.each(TIERS)('the %s tier queue is consumed with the same settings', (tier) => {
    const [, resource] = mappingFrom(logicalId(stack, stack.queues.queues[tier])) ?? [];
    expect(tuned(resource?.Properties ?? {})).toEqual(localSqsMapping(tierEventSources[tier]));
  });

  it.each(TIERS)(
    'the %s dead-letter queue has no mapping: the maintenance run reads it, as locally',
    (tier) => {
      expect(mappingFrom(logicalId(stack, stack.queues.deadLetterQueues[tier]))).toBeUndefined();
    },
  );

  it.each(Object.entries(streamEventSources))(
    'the %s stream reader has the same batch, retries, record age, bisection and filters',
    (_name, settings) => {
      const [, resource] =
        mappings.find(([, candidate]) =>
          JSON.stringify(candidate.Properties?.FunctionName).includes(`"${functionId(settings.module)}"`),
        ) ?? [];
      expect(tuned(resource?.Properties ?? {})).toEqual(localStreamMapping(settings));
    },
  );
});

describe('function timeouts', () => {
  it('defines a timeout for every function and no timeout for a function that does not exist', () => {
    const modules = functions.map((fn) => fn.module);
    for (const key of Object.keys(functionTimeouts)) {
      if (key === 'api/*') expect(modules.some((module) => module.startsWith('api/'))).toBe(true);
      else expect(modules).toContain(key);
    }
  });

  it.each(functions.map((fn) => [fn.module, fn] as const))(
    '%s times out at the same moment locally',
    (module, fn) => {
      const deployed = propertiesOf(json, logicalId(stack, fn)).Timeout as number;
      expect(localTimeoutMs(module)).toBe(deployed * 1000);
    },
  );

  it('keeps HTTP functions under the integration timeout and WebSocket ones within it', () => {
    for (const fn of functions) {
      const timeout = propertiesOf(json, logicalId(stack, fn)).Timeout as number;
      if (fn.module.startsWith('api/') || fn.module === 'authorizer')
        expect(timeout).toBeLessThan(apiGatewayLimits.httpIntegrationTimeoutSeconds);
      if (fn.module.startsWith('ws/'))
        expect(timeout).toBeLessThanOrEqual(apiGatewayLimits.webSocketIntegrationTimeoutSeconds);
    }
  });
});

describe('environment values per function', () => {
  /** What the local stack puts in the (shared) environment, or what its config falls back to. */
  const local: Record<string, string> = {
    ...localRuntimeEnvironment(),
    RETENTION_DAYS: String(retentionDays({})),
    TIER_MAX_CONCURRENCY: JSON.stringify(tierMaxConcurrency({})),
    ...quotaEnvironment(),
  };
  /** Values that name this deployment's resources or identity, not behaviour. */
  const perDeployment = new Set([
    'LOG_LEVEL',
    'SERVICE_NAME',
    'NODE_OPTIONS',
    'AUTH_MODE',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'JWT_JWKS_URL',
    // The job metrics (EMF) are off locally: no namespace, so nothing is published (wiring/job-metrics.ts).
    'POWERTOOLS_METRICS_NAMESPACE',
    'POWERTOOLS_SERVICE_NAME',
    'METRICS_JOB_TYPES',
  ]);

  it.each(functions.map((fn) => [fn.module, fn] as const))('%s has the local values', (module, fn) => {
    const variables = variablesOf(json, logicalId(stack, fn));
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== 'string' || perDeployment.has(name)) continue;
      expect({ name, value }).toEqual({ name, value: local[name] });
    }
    const expected = Object.fromEntries(
      Object.entries(localRuntimeEnvironment()).filter(([name]) =>
        (runtimeSettingsByFunction[module] ?? []).some((setting) => name === ENV[setting]),
      ),
    );
    expect(
      Object.fromEntries(Object.entries(variables).filter(([name]) => name in localRuntimeEnvironment())),
    ).toEqual(expected);
  });
});

describe('queues, schedules and routes', () => {
  it.each(TIERS)('the %s dead-letter queue hides a received message as long as locally', async (tier) => {
    const local = (await createdQueues()).attributesOf(`parity-${tier}-dlq`);
    const deployed = propertiesOf(json, logicalId(stack, stack.queues.deadLetterQueues[tier]));
    expect(local.VisibilityTimeout).toBe(String(deadLetterVisibilityTimeoutSeconds));
    expect(String(deployed.VisibilityTimeout)).toBe(local.VisibilityTimeout);
  });

  const rateSeconds = (expression: string) => {
    const [, amount, unit] = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression) ?? [];
    const unitSeconds = { minute: 60, hour: 3600, day: 86_400 }[(unit ?? '').replace(/s$/, '') as 'minute'];
    return Number(amount) * unitSeconds;
  };

  it('has one rule per local timer, firing the same function at the same rate', () => {
    const rules = resourcesOf(json, 'AWS::Events::Rule').map(([, rule]) => ({
      module: moduleOfId(
        JSON.stringify((rule.Properties?.Targets as unknown[])?.[0]).match(
          /"Fn::GetAtt":\["(\w+)","Arn"\]/,
        )?.[1] ?? '',
      ),
      rateSeconds: rateSeconds(String(rule.Properties?.ScheduleExpression)),
    }));
    const local = Object.values(schedules).map(({ module, rateSeconds }) => ({ module, rateSeconds }));
    const byModule = (a: { module?: string }, b: { module?: string }) =>
      String(a.module).localeCompare(String(b.module));
    expect(rules.sort(byModule)).toEqual(local.sort(byModule));
  });

  it('routes the same WebSocket actions as the local gateway', () => {
    const apiId = logicalId(stack, stack.webSocket.api);
    const routeKeys = resourcesOf(json, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => JSON.stringify(route.Properties?.ApiId) === JSON.stringify({ Ref: apiId }))
      .map(([, route]) => String(route.Properties?.RouteKey));
    expect(routeKeys.sort()).toEqual(['$connect', '$default', '$disconnect', ...WS_ACTIONS].sort());
  });
});
