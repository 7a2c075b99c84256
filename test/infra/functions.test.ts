import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { JobFunction, projectRoot } from '../../infra/constructs/job-function.ts';
import { ownFunctions, resourcesOf, synth } from './support/synth.ts';

const synthesized = synth();
const { json } = synthesized;
const functions = ownFunctions(synthesized);
const logGroups = Object.fromEntries(resourcesOf(json, 'AWS::Logs::LogGroup'));

describe.each(functions.map(([id, fn]) => [String(fn.Properties?.Description ?? id), id, fn] as const))(
  '%s',
  (_name, id, fn) => {
    const props = fn.Properties ?? {};

    it('runs on Node.js 22 on arm64', () => {
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
    });

    it('logs JSON to its own log group with a retention', () => {
      const { LogGroup, LogFormat } = props.LoggingConfig as { LogGroup: { Ref: string }; LogFormat: string };
      expect(LogFormat).toBe('JSON');
      expect(logGroups[LogGroup.Ref]?.Properties?.RetentionInDays).toBe(RetentionDays.ONE_WEEK);
      const others = functions.filter(
        ([otherId, other]) =>
          otherId !== id && JSON.stringify(other.Properties?.LoggingConfig).includes(`"${LogGroup.Ref}"`),
      );
      expect(others).toHaveLength(0);
    });

    it('sets LOG_LEVEL and SERVICE_NAME, and not --enable-source-maps (the logger maps stacks on demand)', () => {
      const { Variables } = props.Environment as { Variables: Record<string, unknown> };
      expect(Variables).toMatchObject({
        LOG_LEVEL: 'info',
        SERVICE_NAME: expect.stringMatching(/^job-queue-dev-[a-z0-9-]+$/),
      });
      expect(Variables).not.toHaveProperty('NODE_OPTIONS');
    });

    it('is built from a handler module that exists', () => {
      const entry = String(props.Description).split(',')[0] ?? '';
      const module = entry.startsWith('functions/handlers/') ? entry : '';
      if (module) expect(existsSync(join(projectRoot, module))).toBe(true);
      else expect(String(props.Description)).toMatch(/^(GET|POST|PATCH|DELETE) \//);
    });
  },
);

describe('bundles', () => {
  // One real esbuild run (the other tests skip bundling): the worker, the biggest handler.
  const outdir = mkdtempSync(join(tmpdir(), 'job-function-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundle');
  new JobFunction(stack, 'Worker', {
    module: 'worker',
    defaults: {
      servicePrefix: 'bundle',
      logLevel: 'info',
      logRetention: RetentionDays.ONE_DAY,
      removalPolicy: RemovalPolicy.DESTROY,
    },
  });
  app.synth();
  const assetDir = readdirSync(outdir).find((name) => existsSync(join(outdir, name, 'index.mjs'))) ?? '';
  const bundle = readFileSync(join(outdir, assetDir, 'index.mjs'), 'utf8');
  const sourceMap = JSON.parse(readFileSync(join(outdir, assetDir, 'index.mjs.map'), 'utf8')) as {
    sources: string[];
  };

  it('are minified ES modules exporting handler', () => {
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // Minified: long lines rather than indented source.
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(2000);
  });

  it('define require for bundled CommonJS dependencies', () => {
    expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
  });

  it('leave the AWS SDK to the runtime', () => {
    expect(bundle).toMatch(/from\s*"@aws-sdk\/client-sqs"/);
    expect(sourceMap.sources.filter((source) => source.includes('@aws-sdk/'))).toEqual([]);
  });

  it('come with a source map of our code', () => {
    expect(sourceMap.sources.some((source) => source.endsWith('functions/handlers/worker.ts'))).toBe(true);
  });
});
