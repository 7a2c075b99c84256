/**
 * Synthesizes the stack with cdk.json's context into a temporary directory. Bundling is skipped unless
 * asked for (the templates do not depend on the bundle contents, and esbuild for every function would
 * dominate the test time), and so is CloudFormation's built-in template validation (the cdk-nag test runs
 * the app exactly as `cdk synth` does, validation included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { projectRoot } from '../../../infra/constructs/job-function.ts';
import { JobQueueStack, type JobQueueStackProps } from '../../../infra/job-queue-stack.ts';
import type { JobQueueSettings } from '../../../infra/settings.ts';

export const cdkJsonContext = (
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** Context that skips esbuild for every stack. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export interface SynthOptions extends Omit<JobQueueStackProps, 'settings'> {
  settings?: Partial<JobQueueSettings>;
  /** Run esbuild for every function; the assets then hold real bundles. */
  bundle?: boolean;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Synthesized {
  app: App;
  stack: JobQueueStack;
  template: Template;
  /** The raw template, for checks that walk every resource. */
  json: { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, { Value: unknown }> };
  annotations: Annotations;
}

export function synth(options: SynthOptions = {}): Synthesized {
  const { settings, bundle, ...props } = options;
  const app = new App({
    context: { ...cdkJsonContext, ...(bundle ? {} : NO_BUNDLING) },
    builtinCloudFormationValidation: false,
  });
  const stack = new JobQueueStack(app, 'Test', { ...props, settings: { stage: 'dev', ...settings } });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    json: template.toJSON() as Synthesized['json'],
    annotations: Annotations.fromStack(stack),
  };
}

/** Resources of one type, as [logicalId, resource]. */
export function resourcesOf(json: Synthesized['json'], type: string): [string, CfnResourceJson][] {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

/** The Properties of a resource ({} if there is none). */
export function propertiesOf(json: Synthesized['json'], id: string): Record<string, unknown> {
  return json.Resources[id]?.Properties ?? {};
}

/** The environment variables of a function resource. */
export function variablesOf(json: Synthesized['json'], id: string): Record<string, unknown> {
  const environment = propertiesOf(json, id).Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: JobQueueStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
}

/**
 * The stack's functions except CDK's BucketDeployment handler (it copies the dashboard's files at deploy
 * time; CDK writes its code, runtime and role, and test/infra/dashboard-hosting.test.ts checks them).
 */
export function ownFunctions({
  stack,
  json,
}: Pick<Synthesized, 'stack' | 'json'>): [string, CfnResourceJson][] {
  const role = { 'Fn::GetAtt': [deploymentRoleId(stack), 'Arn'] };
  return resourcesOf(json, 'AWS::Lambda::Function').filter(
    ([, fn]) => JSON.stringify(fn.Properties?.Role) !== JSON.stringify(role),
  );
}

/** The logical id of the BucketDeployment handler's role. */
export function deploymentRoleId(stack: JobQueueStack): string {
  return logicalId(stack, {
    node: { defaultChild: stack.dashboard.deployment.handlerRole.node.defaultChild },
  });
}
