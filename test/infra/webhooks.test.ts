/**
 * The webhook resources: delivery queue and DLQ as the local stack creates them (parity), the delivery
 * function's event source, the KMS key, and least-privilege grants for every function that takes part.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_ENV } from '../../functions/wiring/webhooks-config.ts';
import {
  webhookDeadLetterQueueName,
  webhookDeliveryEventSource,
  webhookQueueDefaults,
  webhookQueueName,
} from '../../infra/webhook-settings.ts';
import { createdQueues } from './support/local-queues.ts';
import { logicalId, ownFunctions, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, template, json } = synth();
const { webhooks } = stack;
const props = (construct: Parameters<typeof logicalId>[1]) =>
  json.Resources[logicalId(stack, construct)]?.Properties ?? {};
const queueId = logicalId(stack, webhooks.queue);
const dlqId = logicalId(stack, webhooks.deadLetterQueue);
const keyId = logicalId(stack, webhooks.secretsKey);

/** Every statement of the policies attached to a function's role. */
function statementsOf(fn: Parameters<typeof logicalId>[1] & { role?: unknown }) {
  const roleId = logicalId(stack, (fn as unknown as { role: Parameters<typeof logicalId>[1] }).role);
  return Object.values(json.Resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties?.Roles).includes(`"${roleId}"`),
    )
    .flatMap(
      (policy) =>
        (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)
          ?.Statement ?? [],
    );
}
const actionsOn = (fn: Parameters<typeof statementsOf>[0], resourceId: string) =>
  statementsOf(fn)
    .filter((statement) => JSON.stringify(statement.Resource).includes(`"${resourceId}"`))
    .flatMap((statement) => [statement.Action].flat() as string[])
    .sort();

describe('webhook delivery queue', () => {
  it('is encrypted, TLS-only and redrives to its DLQ, as the local stack creates it', async () => {
    const queue = props(webhooks.queue);
    const { attributesOf } = await createdQueues();
    const local = attributesOf(webhookQueueName('parity'));
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(props(webhooks.deadLetterQueue).SqsManagedSseEnabled).toBe(true);
    expect(Number(queue.VisibilityTimeout)).toBe(Number(local.VisibilityTimeout));
    expect(Number(queue.MessageRetentionPeriod)).toBe(Number(local.MessageRetentionPeriod));
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: JSON.parse(String(local.RedrivePolicy)).maxReceiveCount,
    });
    expect(Number(props(webhooks.deadLetterQueue).MessageRetentionPeriod)).toBe(
      Number(attributesOf(webhookDeadLetterQueueName('parity')).MessageRetentionPeriod),
    );
    for (const id of [queueId, dlqId])
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
  });

  it('keeps a message invisible for at least the delivery function timeout', () => {
    const timeout = Number(props(webhooks.deliveryFunction).Timeout);
    expect(Number(props(webhooks.queue).VisibilityTimeout)).toBeGreaterThanOrEqual(timeout);
    expect(webhookQueueDefaults.visibilityTimeoutSeconds).toBeLessThanOrEqual(43_200);
  });

  it('feeds the delivery function with partial batch failures and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: logicalId(stack, webhooks.deliveryFunction) },
      BatchSize: webhookDeliveryEventSource.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: webhookDeliveryEventSource.maxConcurrency },
    });
  });
});

describe('webhook delivery event source switch', () => {
  const [mappingId] =
    resourcesOf(json, 'AWS::Lambda::EventSourceMapping').find(
      ([, mapping]) =>
        JSON.stringify(mapping.Properties?.EventSourceArn) === `{"Fn::GetAtt":["${queueId}","Arn"]}`,
    ) ?? [];
  const switchers = [
    stack.httpApi.handlers.get('create-webhook'),
    stack.httpApi.handlers.get('delete-webhook'),
    stack.maintenance.recoverFunction,
  ];
  const switcherIds = new Set(switchers.map((fn) => (fn ? logicalId(stack, fn) : '')));

  it('is created disabled: no idle polls until a webhook is registered', () => {
    expect(mappingId).toBeDefined();
    expect(json.Resources[mappingId ?? '']?.Properties?.Enabled).toBe(false);
  });

  it('lets registration, removal and the maintenance run read and switch exactly that mapping', () => {
    for (const fn of switchers) {
      if (!fn) throw new Error('function missing');
      expect(actionsOn(fn, mappingId ?? '')).toEqual([
        'lambda:GetEventSourceMapping',
        'lambda:UpdateEventSourceMapping',
      ]);
      expect(variablesOf(json, logicalId(stack, fn))[WEBHOOK_ENV.eventSourceMapping]).toEqual({
        Ref: mappingId,
      });
      const scans = statementsOf(fn).filter((statement) =>
        [statement.Action].flat().includes('dynamodb:Scan'),
      );
      expect(scans).toHaveLength(1);
      expect(JSON.stringify(scans[0]?.Resource)).toMatch(/"\/index\/byWebhook"\]/);
    }
  });

  it('gives no other function the mapping, its UUID or a Scan', () => {
    for (const [id] of ownFunctions({ stack, json })) {
      if (switcherIds.has(id)) continue;
      expect(variablesOf(json, id)[WEBHOOK_ENV.eventSourceMapping], id).toBeUndefined();
    }
    for (const [, policy] of resourcesOf(json, 'AWS::IAM::Policy')) {
      const text = JSON.stringify(policy.Properties?.PolicyDocument);
      if (!text.includes(`"${mappingId}"`) && !text.includes('dynamodb:Scan')) continue;
      const roles = JSON.stringify(policy.Properties?.Roles);
      expect(
        switchers.some((fn) => fn?.role && roles.includes(`"${logicalId(stack, fn.role as never)}"`)),
        roles,
      ).toBe(true);
    }
  });
});

describe('webhook secrets key', () => {
  it('is a rotated KMS key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('webhooks'),
    });
  });

  it('lets only POST /webhooks encrypt and only the delivery function decrypt', () => {
    const create = stack.httpApi.handlers.get('create-webhook');
    const list = stack.httpApi.handlers.get('list-webhooks');
    if (!create || !list) throw new Error('webhook handlers missing');
    expect(actionsOn(create, keyId)).toEqual(['kms:Encrypt']);
    expect(actionsOn(webhooks.deliveryFunction, keyId)).toEqual(['kms:Decrypt']);
    expect(actionsOn(list, keyId)).toEqual([]);
    expect(actionsOn(stack.workers.dependencyResolver, keyId)).toEqual([]);
    const keyEnv = (fn: Parameters<typeof props>[0]) =>
      (props(fn).Environment as { Variables: Record<string, unknown> }).Variables[WEBHOOK_ENV.kmsKeyId];
    expect(keyEnv(create)).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(keyEnv(list)).toBeUndefined();
  });
});

describe('webhook grants', () => {
  it('lets the stream consumer and the test route send, and the delivery function consume', () => {
    const test = stack.httpApi.handlers.get('test-webhook');
    const list = stack.httpApi.handlers.get('list-webhooks');
    if (!test || !list) throw new Error('webhook handlers missing');
    const send = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
    expect(actionsOn(stack.workers.dependencyResolver, queueId)).toEqual(send);
    expect(actionsOn(test, queueId)).toEqual(send);
    expect(actionsOn(list, queueId)).toEqual([]);
    expect(actionsOn(webhooks.deliveryFunction, queueId)).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    expect(actionsOn(webhooks.deliveryFunction, dlqId)).toEqual(send);
  });

  it('tells every webhook route handler and the stream consumer where the queue is', () => {
    for (const fn of [
      stack.workers.dependencyResolver,
      webhooks.deliveryFunction,
      ...['create-webhook', 'list-webhooks', 'delete-webhook', 'test-webhook', 'list-webhook-deliveries'].map(
        (module) => stack.httpApi.handlers.get(module),
      ),
    ]) {
      if (!fn) throw new Error('handler missing');
      expect(
        (props(fn).Environment as { Variables: Record<string, unknown> }).Variables[WEBHOOK_ENV.queueUrl],
      ).toEqual({
        Ref: queueId,
      });
    }
  });
});
