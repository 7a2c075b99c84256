/** The idle model counts the SQS event source mappings that poll while idle: enabled ones on SQS queues. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqsEventSourceMappings } from '../../../bench/lib/event-source-mappings.ts';

const dir = mkdtempSync(join(tmpdir(), 'esm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mapping = (source: string, enabled?: boolean) => ({
  Type: 'AWS::Lambda::EventSourceMapping',
  Properties: {
    EventSourceArn: { 'Fn::GetAtt': [source, source === 'Table' ? 'StreamArn' : 'Arn'] },
    ...(enabled !== undefined && { Enabled: enabled }),
  },
});

describe('sqsEventSourceMappings', () => {
  it('counts enabled SQS mappings only: not stream mappings, not ones created disabled', () => {
    const path = join(dir, 'template.json');
    writeFileSync(
      path,
      JSON.stringify({
        Resources: {
          Queue: { Type: 'AWS::SQS::Queue' },
          Hooks: { Type: 'AWS::SQS::Queue' },
          Table: { Type: 'AWS::DynamoDB::Table' },
          Tier: mapping('Queue'),
          TierOn: mapping('Queue', true),
          Webhooks: mapping('Hooks', false),
          Stream: mapping('Table'),
        },
      }),
    );
    expect(sqsEventSourceMappings(path)).toBe(2);
  });
});
