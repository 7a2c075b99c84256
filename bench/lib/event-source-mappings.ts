/**
 * The SQS event source mappings of a synthesized template that run while the stack is idle: each has
 * Lambda's own pollers long-polling its queue, which AWS bills as SQS requests (section cost, the idle
 * line). Stream mappings are left out (Lambda's reads of a DynamoDB stream are free), and so are mappings
 * created disabled (`Enabled: false`: the webhook delivery queue's, on only while a webhook exists).
 */
import { readFileSync } from 'node:fs';

interface Resource {
  Type: string;
  Properties?: { EventSourceArn?: unknown; Enabled?: boolean };
}

export function sqsEventSourceMappings(templatePath: string): number {
  const { Resources } = JSON.parse(readFileSync(templatePath, 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  return Object.values(Resources).filter((resource) => {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping' || resource.Properties?.Enabled === false)
      return false;
    const [source] =
      (resource.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ] ?? [];
    return Resources[source ?? '']?.Type === 'AWS::SQS::Queue';
  }).length;
}
