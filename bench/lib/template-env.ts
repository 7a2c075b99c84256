/**
 * A function's environment as deployed, from its template resource, with CloudFormation's references
 * replaced by stand-ins of the right shape (section bundles: the bundle is imported with the variables it
 * gets on AWS; nothing is called). A reference becomes its logical id, an attribute an ARN naming it, the
 * pseudo parameters the bench's region and account; variables naming files of Lambda's image are left out.
 */

/** Lambda's image has these files; this machine need not (the SDK reads AWS_CA_BUNDLE on first use). */
const NOT_HERE = new Set(['AWS_CA_BUNDLE', 'NODE_OPTIONS']);

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Bench',
};

/** A template value as a string: literals as they are, Ref / Fn::GetAtt / Fn::Join / Fn::Select resolved. */
export function resolveTemplateValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const intrinsic = value as Record<string, unknown>;
    if (typeof intrinsic.Ref === 'string') return PSEUDO[intrinsic.Ref] ?? intrinsic.Ref;
    const attribute = intrinsic['Fn::GetAtt'];
    if (Array.isArray(attribute))
      return `arn:aws:bench:us-east-1:000000000000:${attribute.map(resolveTemplateValue).join('/')}`;
    const join = intrinsic['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [string, unknown[]];
      return parts.map(resolveTemplateValue).join(separator);
    }
    const select = intrinsic['Fn::Select'];
    if (Array.isArray(select)) {
      const [index, list] = select as [number, unknown];
      return Array.isArray(list) ? resolveTemplateValue(list[Number(index)]) : resolveTemplateValue(list);
    }
  }
  throw new Error(`cannot resolve template value ${JSON.stringify(value)}`);
}

/** The variables of a function resource (`Properties.Environment.Variables`), resolved. */
export function deployedEnvironment(variables: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables ?? {})
      .filter(([name]) => !NOT_HERE.has(name))
      .map(([name, value]) => [name, resolveTemplateValue(value)]),
  );
}
