/**
 * The local stack (functions/local/provision.ts) and the CDK stack are built from the same definitions;
 * these checks prove they also build the same thing: table keys, indexes, projections, TTL and stream, and
 * the queue attributes and redrive counts. local-parity-settings.test.ts compares the function settings.
 */
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { createTableInput } from '../../functions/local/provision.ts';
import {
  deadLetterQueueName,
  payloadBucket,
  payloadBucketName,
  queueDefaults,
  queueName,
  tables,
} from '../../infra/resources.ts';
import { createdQueues } from './support/local-queues.ts';
import { logicalId, synth } from './support/synth.ts';

const { stack, json } = synth();

const sortBy = <T>(items: T[] | undefined, key: (item: T) => string) =>
  [...(items ?? [])].sort((a, b) => key(a).localeCompare(key(b)));

describe.each(tables.map((definition) => [definition.id, definition] as const))(
  '%s table',
  (_id, definition) => {
    const local = createTableInput(definition, `local-${definition.id}`);
    const cdk = json.Resources[logicalId(stack, stack.store.get(definition.id))]?.Properties ?? {};

    it('has the same billing, keys and attribute definitions', () => {
      expect(cdk.BillingMode).toBe(local.BillingMode);
      expect(cdk.KeySchema).toEqual(local.KeySchema);
      const byName = (attribute: { AttributeName?: string }) => attribute.AttributeName ?? '';
      expect(sortBy(cdk.AttributeDefinitions as { AttributeName: string }[], byName)).toEqual(
        sortBy(local.AttributeDefinitions, byName),
      );
    });

    it('has the same indexes and projections', () => {
      const byName = (index: { IndexName?: string }) => index.IndexName ?? '';
      expect(sortBy(cdk.GlobalSecondaryIndexes as { IndexName: string }[], byName)).toEqual(
        sortBy(local.GlobalSecondaryIndexes, byName),
      );
    });

    it('has the same stream', () => {
      const localStream = local.StreamSpecification?.StreamEnabled
        ? local.StreamSpecification.StreamViewType
        : undefined;
      expect((cdk.StreamSpecification as { StreamViewType?: string } | undefined)?.StreamViewType).toBe(
        localStream,
      );
    });

    it('expires items on the TTL attribute the local stack enables', () => {
      // provisionTables enables TTL on the definition's attribute with UpdateTimeToLive after creating the table.
      expect(cdk.TimeToLiveSpecification).toEqual({
        AttributeName: definition.timeToLiveAttribute,
        Enabled: true,
      });
    });
  },
);

describe('tier queues', async () => {
  const { attributesOf } = await createdQueues();

  it.each(TIERS)('%s queue matches the local one', (tier) => {
    const local = attributesOf(queueName('parity', tier));
    const queue = json.Resources[logicalId(stack, stack.queues.queues[tier])]?.Properties ?? {};
    expect(String(queue.VisibilityTimeout)).toBe(local.VisibilityTimeout);
    expect(String(queue.MessageRetentionPeriod)).toBe(local.MessageRetentionPeriod);
    const localRedrive = JSON.parse(local.RedrivePolicy ?? '{}') as {
      maxReceiveCount: number;
      deadLetterTargetArn: string;
    };
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, stack.queues.deadLetterQueues[tier]), 'Arn'] },
      maxReceiveCount: localRedrive.maxReceiveCount,
    });
    expect(localRedrive.deadLetterTargetArn.endsWith(deadLetterQueueName('parity', tier))).toBe(true);
  });

  it.each(TIERS)('%s dead-letter queue keeps messages as long as the local one', (tier) => {
    const local = attributesOf(deadLetterQueueName('parity', tier));
    const queue = json.Resources[logicalId(stack, stack.queues.deadLetterQueues[tier])]?.Properties ?? {};
    expect(String(queue.MessageRetentionPeriod)).toBe(local.MessageRetentionPeriod);
    expect(Number(local.MessageRetentionPeriod)).toBe(queueDefaults.dlqRetentionDays * 86_400);
  });
});

describe('payload bucket', () => {
  it('is the same bucket definition deployed and local (name by prefix, rules from payloadBucket)', () => {
    const cdk = json.Resources[logicalId(stack, stack.payloads.bucket)]?.Properties ?? {};
    const rules = (cdk.LifecycleConfiguration as { Rules: { Id: string; ExpirationInDays?: number }[] })
      .Rules;
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined)).toEqual(
      payloadBucket.lifecycleRules(stack.settings.retentionDays).map((rule) =>
        expect.objectContaining({
          Id: rule.id,
          Prefix: rule.prefix,
          ExpirationInDays: rule.expirationDays,
        }),
      ),
    );
    // Locally (functions/local/provision.ts) the bucket is created by name; the emulator has no lifecycle
    // rules, so cleanup alone removes objects there.
    expect(payloadBucketName('Local_Stack')).toBe('local-stack-payloads');
  });
});
