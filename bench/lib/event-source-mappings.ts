/**
 * The SQS event source mappings of a synthesized template: each has Lambda's own pollers long-polling its
 * queue while it is idle, which AWS bills as SQS requests (section cost, the idle line). Stream mappings
 * are left out (Lambda's reads of a DynamoDB stream are free).
 */
import { readFileSync } from 'node:fs';

interface Resource {
  Type: string;
  Properties?: { EventSourceArn?: unknown };
}

export function sqsEventSourceMappings(templatePath: string): number {
  const { Resources } = JSON.parse(readFileSync(templatePath, 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  return Object.values(Resources).filter((resource) => {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') return false;
    const [source] =
      (resource.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ] ?? [];
    return Resources[source ?? '']?.Type === 'AWS::SQS::Queue';
  }).length;
}
