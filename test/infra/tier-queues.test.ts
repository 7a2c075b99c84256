import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { queueDefaults } from '../../infra/resources.ts';
import { logicalId, resourcesOf, synth } from './support/synth.ts';

const { stack, template, json } = synth();
const queueProps = (construct: Parameters<typeof logicalId>[1]) =>
  json.Resources[logicalId(stack, construct)]?.Properties ?? {};
const workerTimeout = Number(queueProps(stack.workers.worker).Timeout);

describe('tier queues', () => {
  it('are four standard queues, each with its own dead-letter queue', () => {
    // Plus the stream consumer's on-failure destination (workers.test.ts) and the webhook delivery queue
    // with its DLQ (webhooks.test.ts).
    template.resourceCountIs('AWS::SQS::Queue', 2 * TIERS.length + 1 + 2);
    for (const [, queue] of resourcesOf(json, 'AWS::SQS::Queue'))
      expect(queue.Properties?.FifoQueue).toBeUndefined();
    const targets = TIERS.map((tier) => logicalId(stack, stack.queues.deadLetterQueues[tier]));
    expect(new Set(targets).size).toBe(TIERS.length);
  });

  describe.each(TIERS)('%s', (tier) => {
    const queue = queueProps(stack.queues.queues[tier]);
    const deadLetterQueue = queueProps(stack.queues.deadLetterQueues[tier]);

    it('redrives to its own DLQ after maxReceiveCount receives', () => {
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, stack.queues.deadLetterQueues[tier]), 'Arn'] },
        maxReceiveCount: queueDefaults.maxReceiveCount,
      });
    });

    it('hides a message for at least the worker timeout, but not so long that throttling stalls it for an hour', () => {
      expect(workerTimeout).toBe(queueDefaults.workerTimeoutSeconds);
      expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(workerTimeout);
      expect(Number(queue.VisibilityTimeout)).toBeLessThanOrEqual(workerTimeout + 120);
    });

    it('keeps dead letters for 14 days', () => {
      expect(deadLetterQueue.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    });

    it('encrypts with SQS-managed keys', () => {
      expect(queue.SqsManagedSseEnabled).toBe(true);
      expect(deadLetterQueue.SqsManagedSseEnabled).toBe(true);
    });

    it.each([
      ['queue', stack.queues.queues[tier]],
      ['dead-letter queue', stack.queues.deadLetterQueues[tier]],
    ])('denies every non-TLS request to the %s', (_kind, construct) => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack, construct) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  it('takes maxReceiveCount from the stack settings', () => {
    const custom = synth({ settings: { maxReceiveCount: 40 } });
    for (const tier of TIERS)
      expect(
        custom.json.Resources[logicalId(custom.stack, custom.stack.queues.queues[tier])]?.Properties
          ?.RedrivePolicy,
      ).toMatchObject({ maxReceiveCount: 40 });
  });

  it('warns when maxReceiveCount would dead-letter jobs that still have retries', () => {
    const low = synth({ settings: { maxReceiveCount: 5 } });
    low.annotations.hasWarning('/Test', Match.stringLikeRegexp('maxReceiveCount 5'));
  });
});
