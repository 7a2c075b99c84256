import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { queueDefaults, tierDefaults } from '../../infra/resources.ts';
import { logicalId, synth, variablesOf } from './support/synth.ts';

const concurrency = { critical: 100, high: 40, normal: 10, low: 3 };
const { stack, template, json } = synth({ settings: { tierConcurrency: concurrency } });
const defaults = synth();
const arnOf = (construct: Parameters<typeof logicalId>[1]) => ({
  'Fn::GetAtt': [logicalId(stack, construct), 'Arn'],
});

describe('worker', () => {
  it('runs functions/handlers/worker.ts for up to 900 s', () => {
    expect(json.Resources[logicalId(stack, stack.workers.worker)]?.Properties).toMatchObject({
      Description: 'functions/handlers/worker.ts',
      Timeout: queueDefaults.workerTimeoutSeconds,
    });
  });

  it.each(TIERS)('consumes the %s queue with partial batch failures and the tier concurrency', (tier) => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, stack.workers.worker) },
      EventSourceArn: arnOf(stack.queues.queues[tier]),
      BatchSize: tierDefaults[tier].batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: concurrency[tier] },
    });
  });

  it.each(TIERS)('defaults the %s concurrency to tierDefaults', (tier) => {
    defaults.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [logicalId(defaults.stack, defaults.stack.queues.queues[tier]), 'Arn'],
      },
      ScalingConfig: { MaximumConcurrency: tierDefaults[tier].maxConcurrency },
    });
  });

  it('knows every tier queue URL', () => {
    const variables = variablesOf(json, logicalId(stack, stack.workers.worker));
    for (const tier of TIERS)
      expect(variables[`QUEUE_URL_${tier.toUpperCase()}`]).toEqual({
        Ref: logicalId(stack, stack.queues.queues[tier]),
      });
    expect(variables.JOBS_TABLE).toBeDefined();
    expect(variables.RETENTION_DAYS).toBe('30');
  });
});

describe('dead-letter queues', () => {
  it.each(TIERS)('the %s dead-letter queue has no event source mapping (maintenance reads it)', (tier) => {
    const source = JSON.stringify(arnOf(stack.queues.deadLetterQueues[tier]));
    const mappings = Object.values(json.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties?.EventSourceArn) === source,
    );
    expect(mappings).toEqual([]);
  });

  it('no function runs the old dead-letter consumer', () => {
    const descriptions = Object.values(json.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties?.Description);
    expect(descriptions).not.toContain('functions/handlers/dead-letter.ts');
    expect(descriptions).toContain('functions/handlers/maintenance/recover.ts');
  });
});

describe('dependency resolver', () => {
  const resolver = stack.workers.dependencyResolver;

  it('runs functions/handlers/stream.ts on the jobs table stream with partial batch failures', () => {
    expect(json.Resources[logicalId(stack, resolver)]?.Properties?.Description).toBe(
      'functions/handlers/stream.ts',
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, resolver) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.store.get('Jobs')), 'StreamArn'] },
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // Never split: a retried batch must start at the same first record (stats-writer.ts).
      BisectBatchOnFunctionError: false,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: Match.anyValue(),
    });
  });

  it('sends the metadata of batches dropped after their retries to an encrypted SQS queue', () => {
    const queue = logicalId(stack, stack.workers.streamFailures);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, resolver) },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    expect(json.Resources[queue]?.Properties?.SqsManagedSseEnabled).toBe(true);
  });

  it('is invoked with every change of a job item (inserts, changes, deletions) and nothing else', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, resolver) },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['JOB'] } } } }) }],
      },
    });
  });
});
