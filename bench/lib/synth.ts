/**
 * Synthesizes the CDK stack in-process, as `cdk synth` does (cdk.json's context), and lists its functions:
 * the handler module of each JobFunction with the memory, architecture and runtime of its template
 * resource, and, when bundled, the directory of its asset (the bundle exactly as deployed).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import { JobFunction, projectRoot } from '../../infra/constructs/job-function.ts';
import { JobQueueStack } from '../../infra/job-queue-stack.ts';
import { deployedEnvironment } from './template-env.ts';

export interface SynthesizedFunction {
  module: string;
  memoryMb: number;
  architecture: string;
  runtime: string;
  logicalId: string;
  /** The asset directory holding index.mjs (bundled synths only). */
  assetDir?: string;
  /** Its environment variables as deployed, references replaced by stand-ins (lib/template-env.ts). */
  environment: Record<string, string>;
}

interface TemplateResource {
  Type: string;
  Properties?: {
    MemorySize?: number;
    Architectures?: string[];
    Runtime?: string;
    Environment?: { Variables?: Record<string, unknown> };
  };
  Metadata?: Record<string, unknown>;
}

/** `bundle: false` skips esbuild (the template does not depend on it); `true` writes real bundles. */
export function synthesize(options: { bundle: boolean; outdir?: string }): SynthesizedFunction[] {
  const context = (
    JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  // Under the project, so a bundle's external imports (@aws-sdk/*) resolve from its node_modules.
  const cache = join(projectRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = options.outdir ?? join(cache, options.bundle ? 'bench-bundles' : 'bench-template');
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({
    outdir,
    context: {
      ...context,
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new JobQueueStack(app, 'Bench', { settings: { stage: 'bench' } });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, TemplateResource>;
  };
  const functions = stack.node
    .findAll()
    .filter((construct): construct is JobFunction => construct instanceof JobFunction);
  return functions.map((fn) => {
    const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnResource)) as string;
    const resource = template.Resources[logicalId];
    const assetPath = resource?.Metadata?.['aws:asset:path'];
    return {
      module: fn.module,
      logicalId,
      memoryMb: resource?.Properties?.MemorySize ?? 128,
      architecture: resource?.Properties?.Architectures?.[0] ?? 'x86_64',
      runtime: resource?.Properties?.Runtime ?? '',
      environment: deployedEnvironment(resource?.Properties?.Environment?.Variables),
      ...(options.bundle && typeof assetPath === 'string' && { assetDir: join(outdir, assetPath) }),
    };
  });
}
